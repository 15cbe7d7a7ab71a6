package io.nvmesh.service;

import io.nvmesh.core.net.LoopbackPorts;
import io.nvmesh.service.agent.AgentStatus;
import io.nvmesh.service.cluster.Member;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.sim.SimulatedFleet;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * N reconciler instances in this JVM on loopback. Ports are picked free up front (bind port 0, note it, release it)
 * because every instance must know its peers' URLs before it starts, and a restarted instance comes back at the same
 * URL, as it would in production. Public for the adversarial tests of {@code io.nvmesh.service.trust}.
 */
public final class TestCluster implements AutoCloseable {

    static final String ADMIN = TestAuth.ADMIN;
    static final String READ = TestAuth.READ;
    static final String AGENT = TestAuth.AGENT;

    private final Map<String, InstanceConfig> configs = new LinkedHashMap<>();
    private final Map<String, ReconcilerNode> running = new LinkedHashMap<>();

    public TestCluster(int size, Duration interval, int missed, Path dataDir) {
        this(size, interval, missed, dataDir, "", Duration.ofSeconds(2));
    }

    /** With a reconcile loop on every instance: {@code gitRemote} polled every {@code poll}. */
    TestCluster(int size, Duration interval, int missed, Path dataDir, String gitRemote, Duration poll) {
        Map<String, URI> urls = new LinkedHashMap<>();
        java.util.Iterator<Integer> ports = LoopbackPorts.free(size).iterator();
        for (int i = 1; i <= size; i++) {
            urls.put("r" + i, URI.create("http://127.0.0.1:" + ports.next()));
        }
        urls.forEach((id, url) -> {
            List<Member> peers = new ArrayList<>();
            urls.forEach((other, otherUrl) -> {
                if (!other.equals(id)) {
                    peers.add(new Member(other, otherUrl));
                }
            });
            configs.put(id, InstanceConfig.defaults(id, dataDir.resolve(id))
                    .withListen("127.0.0.1", url.getPort()).withAuth(TestAuth.of(id, urls.keySet())).withPeers(peers)
                    .withHeartbeat(interval, missed).withGit(gitRemote, "main", poll));
        });
    }


    public TestCluster startAll() {
        configs.keySet().forEach(this::start);
        return this;
    }

    public ReconcilerNode start(String id) {
        ReconcilerNode node = ReconcilerNode.start(configs.get(id));
        synchronized (running) { // instances may be started from several threads at once
            running.put(id, node);
        }
        return node;
    }

    /** Stops an instance without a word to its peers: they learn of it only from the silence. */
    public void kill(String id) {
        running.remove(id).close();
    }

    public ReconcilerNode node(String id) {
        return running.get(id);
    }

    public List<ReconcilerNode> running() {
        return List.copyOf(running.values());
    }

    /** Base URLs of every configured instance, running or not. */
    List<URI> urls() {
        return configs.values().stream().map(c -> URI.create("http://" + c.listenHost() + ":" + c.listenPort()))
                .toList();
    }

    public URI url(String id) {
        InstanceConfig c = configs.get(id);
        return URI.create("http://" + c.listenHost() + ":" + c.listenPort());
    }

    public List<String> ids() {
        return List.copyOf(configs.keySet());
    }

    /**
     * Whether every running instance names the same owner for each of the fleet's nodes and the node's agent is
     * connected there (an agent that dialled an instance before all were alive may still be moving).
     */
    boolean nodesHeldByTheirOwners(SimulatedFleet fleet) {
        Map<String, AgentStatus> statuses = fleet.statuses();
        for (Map.Entry<String, AgentStatus> node : statuses.entrySet()) {
            String key = (fleet.targetIds().contains(node.getKey()) ? "target/" : "client/") + node.getKey();
            if (node.getValue().state() != AgentStatus.State.CONNECTED || running().stream().anyMatch(n ->
                    !n.ownership().current().ownerOrPreferred(key).equals(node.getValue().owner()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Closes what a test opened, in the order given, skipping what was never opened (null): a fleet before its agent
     * runtime before the cluster before the store. Every part is closed even if one fails; the first failure is thrown.
     */
    static void closeAll(AutoCloseable... parts) {
        RuntimeException first = null;
        for (AutoCloseable part : parts) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void close() {
        running.values().forEach(ReconcilerNode::close);
        running.clear();
    }
}
