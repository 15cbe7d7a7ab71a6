package io.nvmesh.service.nodes;

import io.nvmesh.core.credentials.Role;
import io.nvmesh.service.agent.AgentCodec;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.AgentProtocol;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.auth.Caller;
import io.nvmesh.service.cluster.Heartbeat;
import io.nvmesh.service.cluster.HeartbeatTransport;
import io.nvmesh.service.cluster.Member;
import io.nvmesh.service.cluster.Membership;
import io.nvmesh.service.cluster.OwnershipTable;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hello for a node another live member owns makes the hub suspect that member and hold the hello while it is
 * probed. Here the heartbeat interval is an hour, so a held hello's own recheck (a quarter interval) and any death by
 * silence never come within the test's bounds: only the probes' answers can decide it. Membership runs on a frozen fake
 * ticker; the probes are answered by hand.
 */
class HeldHelloTest {

    private final List<CompletableFuture<HeartbeatTransport.Probe>> probes = new CopyOnWriteArrayList<>();
    private final HeartbeatTransport transport = new HeartbeatTransport() {
        @Override
        public CompletableFuture<Heartbeat> send(URI peer, Heartbeat heartbeat) {
            return new CompletableFuture<>();
        }

        @Override
        public CompletableFuture<Probe> probe(URI peer) {
            CompletableFuture<Probe> answer = new CompletableFuture<>();
            probes.add(answer);
            return answer;
        }
    };
    private final Membership membership = Membership.create(new Member("r1", URI.create("http://127.0.0.1:1")), 42,
            List.of(new Member("r2", URI.create("http://127.0.0.1:2")), new Member("r3",
                    URI.create("http://127.0.0.1:3"))), Duration.ofHours(1), 3, transport, () -> 1_000_000_000L);
    private final OwnershipTable ownership = OwnershipTable.following(membership, 0.25);
    private final AgentHub hub = AgentHub.start(membership, ownership, Duration.ofSeconds(1), Duration.ofMillis(50));

    @AfterEach
    void close() {
        hub.close();
        membership.close();
    }

    private final List<String> wire = new CopyOnWriteArrayList<>();

    /** A target owned by {@code owner} while all three are live. */
    private String targetOwnedBy(String owner) {
        return IntStream.range(0, 100).mapToObj(i -> "t" + i)
                .filter(id -> ownership.current().ownerOrPreferred(NodeKind.TARGET.key(id)).equals(owner))
                .findFirst().orElseThrow();
    }

    private void hello(String nodeId) {
        AgentConversation c = hub.accept(new AgentLink() {
            @Override
            public void send(String text) {
                wire.add(text);
            }

            @Override
            public void close(int code, String reason) {
                wire.add("close " + code + " " + reason);
            }
        }, new Caller(nodeId + "-agent", Role.AGENT, List.of(nodeId)));
        c.onText(AgentCodec.encode(new AgentMessage.Hello(List.of(AgentProtocol.VERSIONS.get(0)), nodeId,
                NodeKind.TARGET, Map.of(), List.of())));
    }

    private void allLive() {
        membership.onHeartbeat(new Heartbeat("r2", 5, URI.create("http://127.0.0.1:2"), ""));
        membership.onHeartbeat(new Heartbeat("r3", 6, URI.create("http://127.0.0.1:3"), ""));
        membership.start();
        assertThat(membership.view().live()).containsExactly("r1", "r2", "r3");
        // The ownership table follows membership on membership's own thread.
        await().atMost(Duration.ofSeconds(5)).until(() -> ownership.current().members().size() == 3);
    }

    @Test
    void aHelloForALiveOwnerIsRedirectedAsSoonAsTheProbeFindsItAccepting() {
        allLive();
        String node = targetOwnedBy("r2");

        hello(node);
        assertThat(wire).as("held while r2 is in doubt").isEmpty();
        assertThat(probes).hasSize(1);
        probes.get(0).complete(HeartbeatTransport.Probe.ACCEPTED);

        // Without the doubt being lifted, the next recheck would come after a quarter of an hour.
        await().atMost(Duration.ofSeconds(5)).until(() -> wire.size() == 2);
        assertThat(AgentCodec.decode(wire.get(0))).isInstanceOfSatisfying(AgentMessage.Redirect.class,
                r -> assertThat(r.owner()).isEqualTo("r2"));
        assertThat(wire.get(1)).startsWith("close " + AgentProtocol.CLOSE_MOVED);
        assertThat(membership.suspected("r2")).as("r2 is still probed for a while").isTrue();
    }

    @Test
    void aHelloHeldForAnOwnerWhosePortAcceptsThenRefusesGoesToItsNewOwnerNeverBackToTheDeadOne() {
        allLive();
        String node = targetOwnedBy("r2");

        hello(node);
        // A killed instance: its connections closed a moment before the kernel closed its listener.
        probes.get(0).complete(HeartbeatTransport.Probe.ACCEPTED);
        await().atMost(Duration.ofSeconds(5)).until(() -> wire.size() == 2);
        // That one was sent back to r2 (it looked live); the agent comes again while the probes go on.
        wire.clear();
        await().atMost(Duration.ofSeconds(5)).until(() -> probes.size() == 2);
        probes.get(1).complete(HeartbeatTransport.Probe.REFUSED);
        hello(node);
        assertThat(wire).as("held: r2 refused since").isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> probes.size() == 3);
        probes.get(2).complete(HeartbeatTransport.Probe.REFUSED);

        await().atMost(Duration.ofSeconds(5)).until(() -> !wire.isEmpty());
        assertThat(membership.view().live()).containsExactly("r1", "r3");
        String owner = ownership.current().ownerOrPreferred(NodeKind.TARGET.key(node));
        AgentMessage first = AgentCodec.decode(wire.get(0));
        if (owner.equals("r1")) {
            assertThat(first).isInstanceOf(AgentMessage.Welcome.class);
        } else {
            assertThat(first).isInstanceOfSatisfying(AgentMessage.Redirect.class,
                    r -> assertThat(r.owner()).isEqualTo("r3"));
        }
    }
}
