package io.nvmesh.cli.live;

import io.nvmesh.core.net.LoopbackPorts;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.cluster.Member;
import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.service.config.AuthConfig;
import io.nvmesh.service.config.InstanceConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Real reconciler instances in the test JVM on loopback, for the commands that talk to a running service. Ports are
 * picked up front because every instance must know its peers' URLs before it starts.
 */
final class LiveCluster implements AutoCloseable {

    static final String ADMIN = "admin-token-000000000001";
    static final String READ = "read-token-0000000000001";
    /** The simulated fleet's token; its credential speaks for every node. */
    static final String AGENT = "agent-token-000000000001";

    private final Map<String, ReconcilerNode> running = new LinkedHashMap<>();

    /**
     * @param gitRemote the bare repository every instance reconciles ({@code ""}: none)
     */
    LiveCluster(int size, Path dataDir, String gitRemote, Duration poll) {
        Map<String, URI> urls = new LinkedHashMap<>();
        java.util.Iterator<Integer> ports = LoopbackPorts.free(size).iterator();
        for (int i = 1; i <= size; i++) {
            urls.put("r" + i, URI.create("http://127.0.0.1:" + ports.next()));
        }
        AuthConfig people = AuthConfig.tokens(List.of(ADMIN), List.of(READ))
                .with(Credential.ofToken("fleet", Role.AGENT, List.of("*"), AGENT));
        for (String id : urls.keySet()) {
            people = people.with(Credential.ofToken(id, Role.INSTANCE, List.of(), instanceToken(id)));
        }
        AuthConfig shared = people;
        urls.forEach((id, url) -> {
            List<Member> peers = new ArrayList<>();
            urls.forEach((other, otherUrl) -> {
                if (!other.equals(id)) {
                    peers.add(new Member(other, otherUrl));
                }
            });
            InstanceConfig c = InstanceConfig.defaults(id, dataDir.resolve(id)).withListen("127.0.0.1", url.getPort())
                    .withAuth(shared.withToken(instanceToken(id))).withPeers(peers).withHeartbeat(Duration.ofMillis(100), 3);
            if (!gitRemote.isEmpty()) {
                c = c.withGit(gitRemote, "main", poll);
            }
            running.put(id, ReconcilerNode.start(c));
        });
    }

    static String instanceToken(String id) {
        return "instance-token-" + id + "-000000";
    }

    static int freePort() {
        return LoopbackPorts.free();
    }

    ReconcilerNode node(String id) {
        return running.get(id);
    }

    List<ReconcilerNode> nodes() {
        return List.copyOf(running.values());
    }

    List<URI> urls() {
        return running.values().stream().map(ReconcilerNode::url).toList();
    }

    String url(String id) {
        return running.get(id).url().toString();
    }

    boolean allSeeEachOther() {
        return running.values().stream().allMatch(n -> n.view().members().stream().allMatch(m -> m.alive()));
    }

    /** Stops one instance without a word to its peers. */
    void kill(String id) {
        running.remove(id).close();
    }

    @Override
    public void close() {
        running.values().forEach(ReconcilerNode::close);
        running.clear();
    }
}
