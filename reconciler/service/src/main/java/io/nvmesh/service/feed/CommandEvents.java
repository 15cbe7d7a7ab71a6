package io.nvmesh.service.feed;

import io.nvmesh.service.agent.Attachment;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.SegmentLayout;
import io.nvmesh.service.events.Event;
import io.nvmesh.service.events.EventHub;
import io.nvmesh.service.events.Reset;
import io.nvmesh.service.events.StreamItem;
import io.nvmesh.service.events.Subscription;
import io.nvmesh.service.nodes.AgentHub;
import io.nvmesh.service.nodes.ReportedNode;
import io.nvmesh.service.reconcile.CommandChange;
import io.nvmesh.service.reconcile.ReconcileLoop;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Node commands through events. After this instance commits a state change, every node whose command changed gets a
 * {@code command} event on its topic ({@code target/<id>}, {@code client/<id>}) with its whole new command and the
 * state commit. The instance that holds a node's agent subscribes to the node's topic (an internal subscription, the
 * same interest mechanism as any consumer's), so the event crosses the network only to it; on one it asks its reconcile
 * loop to bring the agent up to the state ref's tip (see {@link ReconcileLoop#commandsAnnounced}): the payload is for
 * watchers, the agent's command always follows from the newest recorded state.
 *
 * <p>The agent hub and the event hub tell us on their threads (the agent hub with its lock held); the work is handed
 * to one thread of our own.
 */
public final class CommandEvents implements AutoCloseable {

    /** Above this (estimated JSON size) a payload names the command's size only: peer requests take 64 KiB. */
    static final int MAX_LISTED_BYTES = 32 * 1024;

    private static final System.Logger LOG = System.getLogger(CommandEvents.class.getName());
    /** Internal subscriptions need no keepalives. */
    private static final Duration NO_KEEPALIVE = Duration.ofDays(365);

    private final EventHub events;
    private final ReconcileLoop loop;
    private final ExecutorService thread;
    /** Confined to {@link #thread}: node topic → the subscription held while its agent is connected here. */
    private final Map<String, Subscription> subscriptions = new HashMap<>();
    private volatile boolean publishing = true;

    CommandEvents(String self, EventHub events, AgentHub agents, ReconcileLoop loop) {
        this.events = Objects.requireNonNull(events, "events");
        this.loop = Objects.requireNonNull(loop, "loop");
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nvmesh-command-events-" + self);
            t.setDaemon(true);
            return t;
        });
        loop.addCommandListener(this::publish);
        agents.addNodeListener(this::nodeChanged);
    }

    /**
     * Whether command changes committed here are published (default on). Off, agents owned elsewhere hear of them at
     * their owner's next poll of the state ref, as before commands travelled as events: what benchmarks compare.
     */
    public void publishing(boolean on) {
        publishing = on;
    }

    private void publish(List<CommandChange> changes) {
        if (!publishing) {
            return;
        }
        for (CommandChange c : changes) {
            try {
                events.publish(c.topic(), "command", payload(c));
            } catch (IllegalArgumentException e) {
                // A node id that is no topic (the schema allows more than topics do): its owner polls.
                LOG.log(System.Logger.Level.DEBUG, () -> "no command event for " + c.node() + ": " + e.getMessage());
            }
        }
    }

    static Map<String, Object> payload(CommandChange c) {
        List<?> items = c.target() ? c.segments() : c.attachments();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("node", c.node());
        p.put("kind", c.target() ? "target" : "client");
        p.put("stateCommit", c.stateCommit());
        p.put("count", items.size());
        boolean listed = estimatedBytes(c) <= MAX_LISTED_BYTES;
        p.put("complete", listed);
        p.put(c.target() ? "segments" : "attachments", listed ? items : List.of());
        return p;
    }

    /** A generous estimate of the JSON size of the command's list (field names, numbers, quotes). */
    static int estimatedBytes(CommandChange c) {
        int n = 0;
        for (SegmentLayout s : c.segments()) {
            n += 96 + s.volume().length() + s.serial().length();
        }
        for (Attachment a : c.attachments()) {
            n += 112 + 2 * a.volume().length() + a.nqn().length();
            for (String t : a.targets()) {
                n += 3 + t.length();
            }
            for (Attachment.Member m : a.members()) {
                n += 96 + m.target().length();
            }
        }
        return n;
    }

    /** From the agent hub, under its lock: subscribe on a hello, unsubscribe when the agent goes or moves away. */
    private void nodeChanged(ReportedNode previous, ReportedNode next) {
        ReportedNode node = next != null ? next : previous;
        String topic = (node.kind() == NodeKind.TARGET ? "target/" : "client/") + node.id();
        boolean hello = next != null && next.connected() && next.reports() == 0;
        boolean gone = next == null || !next.connected();
        if (!hello && !gone) {
            return;
        }
        try {
            thread.execute(() -> {
                if (hello) {
                    subscribe(topic);
                    // Replay from the recorded state, after the subscription: a change committed from now on is
                    // announced here once peers have our interest (within milliseconds), or pushed by this refresh.
                    loop.refreshCommands();
                } else {
                    Subscription s = subscriptions.remove(topic);
                    if (s != null) {
                        s.close();
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void subscribe(String topic) {
        if (subscriptions.containsKey(topic)) {
            return;
        }
        try {
            AtomicReference<Subscription> holder = new AtomicReference<>();
            Subscription s = events.subscribe(Set.of(topic), Map.of(), NO_KEEPALIVE, () -> drainSoon(holder.get()));
            holder.set(s);
            subscriptions.put(topic, s);
            drainSoon(s);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "no command subscription for " + topic + ": " + e.getMessage());
        }
    }

    private void drainSoon(Subscription s) {
        if (s == null) {
            return; // the first signal comes from subscribe itself, before the holder is set; drained right after
        }
        try {
            thread.execute(() -> drain(s));
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void drain(Subscription s) {
        for (StreamItem item = s.poll(); item != null; item = s.poll()) {
            if (item instanceof Event e && e.type().equals("command")) {
                String commit = stateCommitOf(e.payload());
                if (commit.isEmpty()) {
                    loop.refreshCommands(); // unknown shape: treat as news
                } else {
                    loop.commandsAnnounced(commit);
                }
            } else if (item instanceof Reset) {
                loop.refreshCommands(); // fell behind: whatever was missed, the tip has it
            }
            // The node's own health events (raised here) and keepalives: nothing to do.
        }
    }

    /** A payload raised here is our map; from a peer, maps and lists: both are maps. */
    private static String stateCommitOf(Object payload) {
        if (payload instanceof Map<?, ?> m && m.get("stateCommit") instanceof String commit) {
            return commit;
        }
        return "";
    }

    @Override
    public void close() {
        try {
            thread.submit(() -> {
                subscriptions.values().forEach(Subscription::close);
                subscriptions.clear();
            }).get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
        thread.shutdownNow();
    }
}
