package io.nvmesh.service.feed;

import io.nvmesh.api.ClientStateJson;
import io.nvmesh.api.DriveHealthJson;
import io.nvmesh.api.TargetHealthJson;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.events.EventHub;
import io.nvmesh.service.nodes.AgentHub;
import io.nvmesh.service.nodes.ReportedNode;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Publishes the health of the nodes whose agents are connected here (this instance owns them): {@code target/<id>}
 * when the agent connects or goes away, or the target's or any drive's health changes; {@code drive/<serial>} when
 * that drive's health changes, appears or disappears ({@code missing}); {@code client/<id>} when a client connects or
 * is lost. A periodic report that changes nothing publishes nothing. Client states also go to the {@link StateFeed}
 * (the counters count clients by state).
 *
 * <p>The hub tells us with its lock held; the work is handed to one thread of our own, which keeps the order.
 */
final class NodeEvents implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NodeEvents.class.getName());

    private final EventHub events;
    private final AgentHub agents;
    private final StateFeed feed;
    private final ExecutorService thread;

    /** @param feed where client states go; null without a reconcile loop (no counters are fed then) */
    public NodeEvents(String self, EventHub events, AgentHub agents, StateFeed feed) {
        this.events = Objects.requireNonNull(events, "events");
        this.agents = Objects.requireNonNull(agents, "agents");
        this.feed = feed;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nvmesh-node-events-" + self);
            t.setDaemon(true);
            return t;
        });
        agents.addNodeListener(this::changed);
    }

    private void changed(ReportedNode previous, ReportedNode next) {
        if (publishesNothing(previous, next)) {
            return; // every periodic report that changes nothing: no hand-off to our thread for it
        }
        try {
            thread.execute(() -> {
                try {
                    publish(previous, next);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot publish the health of "
                            + (next != null ? next : previous).id(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * Whether {@link #publish} would do nothing: the node is still here and still connected, its health and each
     * drive's health are as they were. Called with the hub's lock held, for every report: no allocation.
     */
    static boolean publishesNothing(ReportedNode previous, ReportedNode next) {
        if (previous == null || next == null || previous.kind() != next.kind()
                || previous.connected() != next.connected()) {
            return false;
        }
        if (next.kind() == NodeKind.CLIENT) {
            return true;
        }
        if (previous.health() != next.health() || previous.drives().size() != next.drives().size()) {
            return false;
        }
        for (int i = 0; i < next.drives().size(); i++) {
            Drive was = previous.drives().get(i);
            Drive now = next.drives().get(i);
            if (!was.serial().equals(now.serial()) || was.health() != now.health()) {
                return false;
            }
        }
        return true;
    }

    private void publish(ReportedNode previous, ReportedNode next) {
        if (next == null) {
            // Moved to another owner: it publishes from now on; only the counters must forget the client's state.
            if (previous.kind() == NodeKind.CLIENT && feed != null) {
                feed.clientState(previous.id(), null);
            }
            return;
        }
        if (next.kind() == NodeKind.CLIENT) {
            if (previous == null || previous.connected() != next.connected()) {
                events.publish("client/" + next.id(), "state", clientPayload(next));
                if (feed != null) {
                    feed.clientState(next.id(), clientState(next));
                }
            }
            return;
        }
        Map<String, String> before = previous == null ? Map.of() : driveHealth(previous);
        Map<String, String> after = driveHealth(next);
        if (previous == null || previous.connected() != next.connected() || previous.health() != next.health()
                || !before.equals(after)) {
            events.publish("target/" + next.id(), "health", targetPayload(next));
        }
        TreeSet<String> serials = new TreeSet<>(before.keySet());
        serials.addAll(after.keySet());
        for (String serial : serials) {
            String was = before.get(serial);
            String now = after.getOrDefault(serial, "missing");
            if (!now.equals(was)) {
                events.publish("drive/" + serial, "health", drivePayload(serial, next.id(), now));
            }
        }
    }

    /** The current payload of a {@code target/}, {@code drive/} or {@code client/} topic, if its node is held here. */
    public Object snapshot(String topic) {
        if (topic.startsWith("target/")) {
            return agents.target(topic.substring("target/".length())).map(NodeEvents::targetPayload).orElse(null);
        }
        if (topic.startsWith("client/")) {
            String id = topic.substring("client/".length());
            return agents.clients().stream().filter(c -> c.id().equals(id)).findFirst()
                    .map(NodeEvents::clientPayload).orElse(null);
        }
        if (topic.startsWith("drive/")) {
            String serial = topic.substring("drive/".length());
            for (ReportedNode t : agents.targets()) {
                Optional<Drive> d = t.drives().stream().filter(x -> x.serial().equals(serial)).findFirst();
                if (d.isPresent()) {
                    return drivePayload(serial, t.id(), word(d.get().health()));
                }
            }
        }
        return null;
    }

    static TargetHealthJson targetPayload(ReportedNode n) {
        return new TargetHealthJson(n.id(), word(n.health()), n.connected(), n.owner(), n.drives().stream()
                .map(d -> new TargetHealthJson.DriveJson(d.serial(), word(d.health()))).toList());
    }

    static DriveHealthJson drivePayload(String serial, String target, String health) {
        return new DriveHealthJson(serial, target, health);
    }

    static ClientStateJson clientPayload(ReportedNode n) {
        return new ClientStateJson(n.id(), clientState(n), n.owner());
    }

    private static String clientState(ReportedNode n) {
        return n.connected() ? "connected" : "lost";
    }

    private static Map<String, String> driveHealth(ReportedNode n) {
        Map<String, String> out = new TreeMap<>();
        n.drives().forEach(d -> out.put(d.serial(), word(d.health())));
        return out;
    }

    private static String word(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
