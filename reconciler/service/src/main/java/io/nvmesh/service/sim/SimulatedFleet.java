package io.nvmesh.service.sim;

import io.nvmesh.core.allocation.Client;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.agent.AgentSettings;
import io.nvmesh.service.agent.AgentStatus;
import io.nvmesh.service.agent.AgentTls;
import io.nvmesh.service.agent.NodeAgent;
import io.nvmesh.service.agent.NodeKind;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * T targets with D drives each and C clients, the same for the same seed: ids {@code t-001}, {@code c-001}; each
 * target holds drives of one model from {@link DriveModel#CATALOGUE}, labelled {@code model}, {@code media}, {@code
 * gen}; targets are spread evenly over three zones ({@code zone-a..c}) and racks of four ({@code rack-a01}), clients
 * over the zones.
 *
 * <p>{@link #connect} starts one real {@link NodeAgent} per node, all on one {@link AgentRuntime}. Faults change the
 * simulated machines; the affected agents report at once.
 */
public final class SimulatedFleet implements AutoCloseable {

    /** The size of the fleet and the seed that decides everything random about it. */
    public record Spec(int targets, int drivesPerTarget, int clients, long seed) {

        public Spec {
            if (targets < 0 || clients < 0 || drivesPerTarget < 0 || targets > 99_999 || clients > 99_999
                    || drivesPerTarget > 64) {
                throw new IllegalArgumentException("a fleet has 0-99,999 targets and clients, 0-64 drives per target");
            }
        }
    }

    static final int ZONES = 3;
    static final int TARGETS_PER_RACK = 4;

    private final Spec spec;
    private final Map<String, SimNode> nodes = new LinkedHashMap<>();
    private final Map<String, NodeAgent> agents = new LinkedHashMap<>();
    private final Set<String> killed = new HashSet<>();
    private final AckGate acks = new AckGate();
    private AgentRuntime runtime;
    private boolean ownsRuntime;

    private SimulatedFleet(Spec spec) {
        this.spec = spec;
        SplittableRandom random = new SplittableRandom(spec.seed());
        int width = Math.max(3, Integer.toString(Math.max(spec.targets(), spec.clients())).length());
        int zones = Math.max(1, Math.min(ZONES, spec.targets()));
        int perZone = (spec.targets() + zones - 1) / zones;
        Set<String> serials = new HashSet<>();
        for (int i = 0; i < spec.targets(); i++) {
            String id = "t-" + pad(i + 1, width);
            char zone = (char) ('a' + i % zones);
            int rack = (i / zones) / TARGETS_PER_RACK + 1;
            Map<String, String> labels = Map.of("zone", "zone-" + zone,
                    "rack", "rack-" + zone + pad(rack, Math.max(2, Integer.toString(perZone).length())));
            DriveModel model = DriveModel.CATALOGUE.get(random.nextInt(DriveModel.CATALOGUE.size()));
            List<Drive> drives = new ArrayList<>();
            for (int d = 0; d < spec.drivesPerTarget(); d++) {
                String serial;
                do {
                    serial = model.serial(random);
                } while (!serials.add(serial));
                drives.add(new Drive(serial, model.capacity(), DriveHealth.OK, model.labels()));
            }
            nodes.put(id, new SimNode(id, NodeKind.TARGET, labels, drives, random.nextLong(), acks));
        }
        for (int i = 0; i < spec.clients(); i++) {
            String id = "c-" + pad(i + 1, width);
            Map<String, String> labels = Map.of("zone", "zone-" + (char) ('a' + i % ZONES), "role", "app");
            nodes.put(id, new SimNode(id, NodeKind.CLIENT, labels, List.of(), random.nextLong(), acks));
        }
    }

    private SimulatedFleet(Inventory shape, long seed) {
        int drives = shape.targets().stream().mapToInt(t -> t.drives().size()).max().orElse(0);
        this.spec = new Spec(shape.targets().size(), drives, shape.clients().size(), seed);
        SplittableRandom random = new SplittableRandom(seed);
        for (Target t : shape.targets()) {
            nodes.put(t.id(), new SimNode(t.id(), NodeKind.TARGET, t.labels(), t.drives(), random.nextLong(),
                    acks));
        }
        for (Client c : shape.clients()) {
            nodes.put(c.id(), new SimNode(c.id(), NodeKind.CLIENT, c.labels(), List.of(), random.nextLong(), acks));
        }
    }

    /**
     * Machines exactly as an inventory lists them (ids, labels, drives): {@code nvmesh demo} runs the sample fleet,
     * which the sample volumes are written for.
     */
    public static SimulatedFleet of(Inventory shape, long seed) {
        return new SimulatedFleet(shape, seed);
    }

    /** The fleet's machines; nothing connects until {@link #connect}. */
    public static SimulatedFleet create(Spec spec) {
        return new SimulatedFleet(spec);
    }

    private static String pad(int n, int width) {
        return String.format("%0" + width + "d", n);
    }

    public Spec spec() {
        return spec;
    }

    /**
     * Starts every agent on a runtime of its own (closed with the fleet), all with one token: its credential must
     * speak for every node of the fleet (e.g. {@code nodes: ["*"]}, for simulators only).
     */
    public synchronized void connect(List<URI> instances, String agentToken) {
        connect(instances, node -> agentToken);
    }

    /** Starts every agent on a runtime of its own, each with its own node's token. */
    public synchronized void connect(List<URI> instances, java.util.function.Function<String, String> tokenOf) {
        connect(instances, AgentTls.NONE, tokenOf);
    }

    /**
     * Starts every agent on a runtime of its own speaking TLS as {@code tls} says (each node its own certificate from
     * its folder), each with its own node's token; an empty token sends none (the certificate names the node).
     *
     * @throws IllegalArgumentException naming a TLS file that does not read
     */
    public synchronized void connect(List<URI> instances, AgentTls tls,
                                     java.util.function.Function<String, String> tokenOf) {
        AgentRuntime rt = AgentRuntime.start("sim", tls);
        ownsRuntime = true;
        connect(rt, instances, tokenOf);
    }

    public synchronized void connect(AgentRuntime rt, List<URI> instances, String agentToken) {
        connect(rt, instances, node -> agentToken);
    }

    /**
     * Starts every agent on the given runtime, spread over one millisecond per agent (at most two seconds), as
     * machines of a fleet boot at different moments; thousands of agents dialling in the same instant would starve
     * the instances' heartbeats.
     */
    public synchronized void connect(AgentRuntime rt, List<URI> instances,
                                     java.util.function.Function<String, String> tokenOf) {
        if (runtime != null && runtime != rt) {
            throw new IllegalStateException("the fleet is connected already");
        }
        runtime = rt;
        for (SimNode n : nodes.values()) {
            String token = tokenOf.apply(n.id);
            if (token == null) {
                throw new IllegalArgumentException("no agent token for node " + n.id);
            }
            NodeAgent agent = NodeAgent.create(rt, AgentSettings.of(n.id, n.kind, instances, token,
                    spec.seed()), n);
            agents.put(n.id, agent);
        }
        Duration spread = Duration.ofMillis(Math.min(2_000, nodes.size()));
        agents.values().forEach(a -> a.start(spread));
    }

    public List<String> targetIds() {
        return nodes.values().stream().filter(n -> n.kind == NodeKind.TARGET).map(n -> n.id).toList();
    }

    public List<String> clientIds() {
        return nodes.values().stream().filter(n -> n.kind == NodeKind.CLIENT).map(n -> n.id).toList();
    }

    /** What the machines hold now (stopped targets included). */
    public Inventory inventory() {
        List<Target> targets = new ArrayList<>();
        List<Client> clients = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            if (n.kind == NodeKind.TARGET) {
                targets.add(new Target(n.id, n.labels(), n.health(), n.drives()));
            } else if (!killed.contains(n.id)) {
                clients.add(new Client(n.id, n.labels()));
            }
        }
        return new Inventory(targets, clients);
    }

    public Optional<NodeAgent> agent(String nodeId) {
        synchronized (this) {
            return Optional.ofNullable(agents.get(nodeId));
        }
    }

    /** Every agent's status, by node id. */
    public synchronized Map<String, AgentStatus> statuses() {
        Map<String, AgentStatus> out = new TreeMap<>();
        agents.forEach((id, a) -> out.put(id, a.status()));
        return out;
    }

    /** The last command the node received, if any. */
    public Optional<AgentMessage.Command> lastCommand(String nodeId) {
        return Optional.ofNullable(node(nodeId).lastCommand());
    }

    // ---- acks ----

    /** Targets ack applied layouts after this long (default 0: at once), as real agents take time to set them up. */
    public void ackDelay(Duration delay) {
        acks.delay(delay);
    }

    /** Targets apply layouts but keep their acks until {@link #releaseAcks}: volumes stay initializing/rebuilding. */
    public void holdAcks() {
        acks.hold();
    }

    /** Sends every held ack and stops holding. */
    public void releaseAcks() {
        acks.release();
    }

    // ---- fault injection ----

    /** The drive reports {@code FAILED} from now on. */
    public synchronized void failDrive(String serial) {
        SimNode t = holderOf(serial);
        t.setHealth(serial, DriveHealth.FAILED);
        reportNow(t.id);
    }

    /** The target's agent says goodbye and stays away (a powered-off server). */
    public synchronized void stopTarget(String id) {
        requireKind(id, NodeKind.TARGET);
        agentOf(id).stop();
    }

    /** The target's agent comes back (a server booted again). */
    public synchronized void startTarget(String id) {
        requireKind(id, NodeKind.TARGET);
        agentOf(id).start();
    }

    /** The drive is pulled from its target and pushed into {@code toTarget}: the same serial shows up there. */
    public synchronized void moveDrive(String serial, String toTarget) {
        SimNode to = requireKind(toTarget, NodeKind.TARGET);
        SimNode from = holderOf(serial);
        if (from == to) {
            throw new IllegalArgumentException("drive " + serial + " is on " + toTarget + " already");
        }
        to.add(from.remove(serial));
        reportNow(from.id);
        reportNow(to.id);
    }

    /** The client's agent disconnects for good. */
    public synchronized void killClient(String id) {
        requireKind(id, NodeKind.CLIENT);
        killed.add(id);
        agentOf(id).stop();
    }

    private void reportNow(String id) {
        NodeAgent a = agents.get(id);
        if (a != null) {
            a.reportNow();
        }
    }

    private NodeAgent agentOf(String id) {
        NodeAgent a = agents.get(id);
        if (a == null) {
            throw new IllegalStateException("the fleet is not connected");
        }
        return a;
    }

    private SimNode node(String id) {
        SimNode n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no node " + id + " in the fleet");
        }
        return n;
    }

    private SimNode requireKind(String id, NodeKind kind) {
        SimNode n = node(id);
        if (n.kind != kind) {
            throw new IllegalArgumentException(id + " is not a " + kind.name().toLowerCase());
        }
        return n;
    }

    private SimNode holderOf(String serial) {
        for (SimNode n : nodes.values()) {
            if (n.kind == NodeKind.TARGET && n.has(serial)) {
                return n;
            }
        }
        throw new IllegalArgumentException("no drive " + serial + " in the fleet");
    }

    /** Stops every agent (with a goodbye) and the runtime if the fleet started it. */
    @Override
    public synchronized void close() {
        agents.values().forEach(NodeAgent::stop);
        acks.close();
        if (ownsRuntime && runtime != null) {
            runtime.close();
        }
    }
}
