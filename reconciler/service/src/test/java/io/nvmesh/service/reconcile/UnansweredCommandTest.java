package io.nvmesh.service.reconcile;

import io.nvmesh.core.credentials.Role;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.service.agent.AgentCodec;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.AgentProtocol;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.auth.Caller;
import io.nvmesh.service.cluster.HeartbeatTransport;
import io.nvmesh.service.cluster.Member;
import io.nvmesh.service.cluster.Membership;
import io.nvmesh.service.cluster.OwnershipTable;
import io.nvmesh.service.nodes.AgentConversation;
import io.nvmesh.service.nodes.AgentHub;
import io.nvmesh.service.nodes.AgentLink;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A command lost on a live connection (the agent dropped it) is sent again: after {@link NodePush#RESEND_AFTER_MILLIS}
 * unanswered, then after twice as long each time while it stays unanswered; an answered command is never repeated.
 * The loop's clock is a counter moved by the test; the hub, its sessions and the wire are real.
 */
class UnansweredCommandTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<AgentMessage.Command> wire = new CopyOnWriteArrayList<>();
    private AgentHub hub;
    private AgentConversation agent;
    private NodePush push;

    @BeforeEach
    void connectOneClient() throws Exception {
        HeartbeatTransport none = (peer, beat) -> new CompletableFuture<>();
        Membership membership = Membership.create(new Member("r1", URI.create("http://127.0.0.1:1")), 42, List.of(),
                Duration.ofSeconds(10), 3, none, System::nanoTime);
        hub = AgentHub.start(membership, OwnershipTable.following(membership, 0.25), Duration.ofSeconds(1),
                Duration.ofMillis(50));
        AgentLink link = new AgentLink() {
            @Override
            public void send(String text) {
                if (AgentCodec.decode(text) instanceof AgentMessage.Command c) {
                    wire.add(c);
                }
            }

            @Override
            public void close(int code, String reason) {
            }
        };
        agent = hub.accept(link, new Caller("c1-agent", Role.AGENT, List.of("c1")));
        agent.onText(AgentCodec.encode(new AgentMessage.Hello(List.of(AgentProtocol.VERSIONS.get(0)), "c1",
                NodeKind.CLIENT, Map.of(), List.of())));
        assertThat(hub.connectedNodes()).containsExactly("c1");
        push = new NodePush(hub, null, now::get); // a client's command records no served layout
    }

    @AfterEach
    void close() {
        hub.close();
    }

    @Test
    void anUnansweredCommandIsSentAgainWithTheWaitDoublingAndAnAnsweredOneNever() {
        List<Long> sentAt = new ArrayList<>();
        long start = now.get();
        // Two minutes of passes every 500 ms; the agent answers nothing.
        for (long t = 0; t <= 120_000; t += 500) {
            now.set(start + t);
            if (push.push(RecordedState.empty(), List.of()) > 0) {
                sentAt.add(t);
            }
        }
        // The first command at once, then after 10, 20, 40 s unanswered (the next would be 80 s after the last).
        assertThat(sentAt).containsExactly(0L, 10_000L, 30_000L, 70_000L);
        assertThat(wire).hasSize(4);
        assertThat(wire).extracting(AgentMessage.Command::seq).doesNotHaveDuplicates().isSorted();
        assertThat(wire).allSatisfy(c -> assertThat(c.attachments()).isEqualTo(wire.get(0).attachments()));

        // The agent answers the latest: nothing is sent again however long the passes go on.
        agent.onText(AgentCodec.encode(new AgentMessage.Ack(wire.get(3).seq(), true, "")));
        assertThat(hub.command(NodeKind.CLIENT, "c1")).hasValueSatisfying(s -> assertThat(s.acked()).isTrue());
        for (long t = 120_500; t <= 1_000_000; t += 500) {
            now.set(start + t);
            assertThat(push.push(RecordedState.empty(), List.of())).isZero();
        }
        assertThat(wire).hasSize(4);
    }

    @Test
    void anAnswerToAnOlderCommandDoesNotStopTheResend() {
        push.push(RecordedState.empty(), List.of());
        now.addAndGet(10_000);
        assertThat(push.push(RecordedState.empty(), List.of())).isOne();
        assertThat(wire).hasSize(2);
        // The agent was busy with the first and answers it only now: the hub waits for the newer one.
        agent.onText(AgentCodec.encode(new AgentMessage.Ack(wire.get(0).seq(), true, "")));
        now.addAndGet(20_000);
        assertThat(push.push(RecordedState.empty(), List.of())).isOne();
        agent.onText(AgentCodec.encode(new AgentMessage.Ack(wire.get(2).seq(), true, "")));
        now.addAndGet(400_000);
        assertThat(push.push(RecordedState.empty(), List.of())).isZero();
        assertThat(wire).hasSize(3);
    }
}
