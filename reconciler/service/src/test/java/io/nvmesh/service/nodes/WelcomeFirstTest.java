package io.nvmesh.service.nodes;

import io.nvmesh.core.credentials.Role;
import io.nvmesh.service.agent.AgentCodec;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.AgentProtocol;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.auth.Caller;
import io.nvmesh.service.cluster.HeartbeatTransport;
import io.nvmesh.service.cluster.Member;
import io.nvmesh.service.cluster.Membership;
import io.nvmesh.service.cluster.OwnershipTable;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent ignores a command that comes before its welcome (only the welcomed owner commands a node), so the hub must
 * never let a command overtake the welcome. The reconcile loop sends a node's first layout as soon as the node is
 * connected here, from its own thread: this test sends at exactly that moment and checks the order on the wire.
 */
class WelcomeFirstTest {

    @Test
    void aCommandSentAsSoonAsTheNodeIsConnectedFollowsTheWelcome() throws Exception {
        HeartbeatTransport none = (peer, beat) -> new CompletableFuture<>();
        Membership membership = Membership.create(new Member("r1", URI.create("http://127.0.0.1:1")), 42, List.of(),
                Duration.ofSeconds(10), 3, none, System::nanoTime);
        AgentHub hub = AgentHub.start(membership, OwnershipTable.following(membership, 0.25), Duration.ofSeconds(1),
                Duration.ofMillis(50));
        try {
            AtomicReference<Thread> sender = new AtomicReference<>();
            hub.addNodeListener((previous, next) -> {
                if (previous == null && next != null) {
                    // What the reconcile loop does when it hears of a new node: push its layout, on another thread.
                    Thread t = new Thread(() -> hub.send(next.id(),
                            new AgentMessage.Command(hub.nextCommandSeq(), List.of(), List.of())));
                    sender.set(t);
                    t.start();
                }
            });
            List<String> wire = new CopyOnWriteArrayList<>();
            AgentLink link = new AgentLink() {
                @Override
                public void send(String text) {
                    if (text.contains("\"welcome\"")) {
                        // Give the command every chance to overtake: wait until the sender has sent it or is
                        // waiting for the hub.
                        Thread t = sender.get();
                        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                        while (t != null && t.getState() != Thread.State.TERMINATED
                                && t.getState() != Thread.State.BLOCKED && System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                    }
                    wire.add(text);
                }

                @Override
                public void close(int code, String reason) {
                    wire.add("close " + code);
                }
            };
            AgentConversation c = hub.accept(link, new Caller("t1-agent", Role.AGENT, List.of("t1")));
            c.onText(AgentCodec.encode(new AgentMessage.Hello(List.of(AgentProtocol.VERSIONS.get(0)), "t1",
                    NodeKind.TARGET, Map.of(), List.of())));
            sender.get().join(Duration.ofSeconds(5).toMillis());

            assertThat(wire).hasSize(2);
            assertThat(AgentCodec.decode(wire.get(0))).isInstanceOf(AgentMessage.Welcome.class);
            assertThat(AgentCodec.decode(wire.get(1))).isInstanceOf(AgentMessage.Command.class);
        } finally {
            hub.close();
            membership.close();
        }
    }
}
