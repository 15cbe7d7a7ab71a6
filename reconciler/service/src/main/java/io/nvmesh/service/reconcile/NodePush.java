package io.nvmesh.service.reconcile;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.schema.Volume;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.Attachment;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.SegmentLayout;
import io.nvmesh.service.nodes.AgentHub;
import io.nvmesh.service.nodes.CommandState;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Sends each node whose agent is connected here what it must serve or attach, as follows from the observed state and
 * the desired volumes, when that differs from what it was last sent; remembers what was sent, and keeps the last
 * computed node commands for the loop's announcements. Confined to the loop thread, but for {@link #pushedCommit}.
 *
 * <p>A command the agent has not answered after {@link #RESEND_AFTER_MILLIS} is sent again under a new sequence
 * number, with the wait doubling up to {@link #RESEND_MAX_MILLIS} while it stays unanswered: a command lost on a live
 * connection (an agent that dropped it) would otherwise wait for the next layout change or reconnect, and the space a
 * target's ack releases would stay held. A command is the node's whole layout (level, not edge), so sending it again
 * is harmless; an agent still busy with the first answers the newer one as well.
 */
final class NodePush {

    static final long RESEND_AFTER_MILLIS = 10_000;
    static final long RESEND_MAX_MILLIS = 320_000;
    private static final System.Logger LOG = System.getLogger(NodePush.class.getName());

    private final AgentHub agents;
    private final ServedRecorder served;
    /** The last command sent to each connected node, to send only what changed. */
    private final Map<String, Object> sent = new HashMap<>();
    /** The state generation the last command sent to each target was computed from. */
    private final Map<String, Long> sentGeneration = new HashMap<>();
    /** The sequence number, time and unanswered resends of the last command sent to each connected node. */
    private final Map<String, Sent> sentCommand = new HashMap<>();
    private final LongSupplier millis;
    /** The node commands last computed, and the state commit and desired volumes of it. */
    private NodeCommands commands = new NodeCommands(Map.of(), Map.of());
    private String commandsCommit = "";
    private List<Volume> commandsDesired = List.of();
    /** The state commit the last push to the agents connected here followed from. */
    private volatile String pushedCommit = "";

    /** @param millis the loop's clock, in milliseconds: when a command was sent and is sent again */
    NodePush(AgentHub agents, ServedRecorder served, LongSupplier millis) {
        this.agents = agents;
        this.served = served;
        this.millis = millis;
    }

    /** The state commit the last push followed from ({@code ""} before the first). Any thread. */
    String pushedCommit() {
        return pushedCommit;
    }

    /** The node commands last computed, if they were computed from the state commit {@code stateCommit}. */
    Optional<NodeCommands> computedFor(String stateCommit) {
        return stateCommit.equals(commandsCommit) ? Optional.of(commands) : Optional.empty();
    }

    /** The node commands of a state and desired volumes; the last computation is kept (lists compared by identity). */
    NodeCommands commandsOf(RecordedState state, List<Volume> desired) {
        if (!state.commitId().equals(commandsCommit) || desired != commandsDesired) {
            commands = NodeCommands.of(state, desired);
            commandsCommit = state.commitId();
            commandsDesired = desired;
        }
        return commands;
    }

    /**
     * Sends each node connected here what it must serve or attach, when that differs from what it was sent or its
     * agent has had nothing on its current connection (it reconnected).
     */
    int push(RecordedState observed, List<Volume> desired) {
        List<String> connected = agents.connectedNodes();
        sent.keySet().retainAll(new HashSet<>(connected));
        sentGeneration.keySet().retainAll(sent.keySet());
        sentCommand.keySet().retainAll(sent.keySet());
        pushedCommit = observed.commitId();
        if (connected.isEmpty()) {
            return 0;
        }
        NodeCommands commands = commandsOf(observed, desired);
        // A target holding released space must ack a command from the generation that dropped it, even when its
        // layout did not change (it never served that space): send it again then.
        Map<String, Long> waiting = releaseWaits(observed);
        Set<String> targets = new HashSet<>();
        agents.targets().forEach(t -> targets.add(t.id()));
        int count = 0;
        long now = millis.getAsLong();
        for (String node : connected) {
            boolean target = targets.contains(node);
            NodeKind kind = target ? NodeKind.TARGET : NodeKind.CLIENT;
            List<SegmentLayout> segments = target ? commands.segments().getOrDefault(node, List.of()) : List.of();
            List<Attachment> attachments = target ? List.of()
                    : commands.attachments().getOrDefault(node, List.of());
            Object content = target ? segments : attachments;
            Optional<CommandState> last = agents.command(kind, node);
            boolean unchanged = content.equals(sent.get(node)) && last.isPresent()
                    && (!target || sentGeneration.getOrDefault(node, 0L) >= waiting.getOrDefault(node, 0L));
            Sent before = sentCommand.get(node);
            boolean unanswered = unchanged && before != null && before.unansweredFor(last.get(), now);
            if (unchanged && !unanswered) {
                continue;
            }
            long seq = agents.nextCommandSeq();
            if (target) {
                served.computedFrom(seq, observed.commitId(), observed.generation()); // before the ack can arrive
            }
            if (agents.send(node, new AgentMessage.Command(seq, segments, attachments))) {
                sent.put(node, content);
                sentGeneration.put(node, observed.generation());
                sentCommand.put(node, new Sent(seq, now, unanswered ? before.resends() + 1 : 0));
                if (unanswered) {
                    LOG.log(System.Logger.Level.WARNING, () -> node + " has not answered command " + before.seq()
                            + " for " + (now - before.atMillis()) + " ms; sent it again as " + seq);
                }
                count++;
            }
        }
        return count;
    }

    /** A command sent: its sequence number, when (the loop's clock), and how many unanswered ones it repeats. */
    private record Sent(long seq, long atMillis, int resends) {

        /** Whether {@code last}, what the hub knows of the node's last command, is this one, still unanswered, late. */
        boolean unansweredFor(CommandState last, long now) {
            long wait = Math.min(RESEND_MAX_MILLIS, RESEND_AFTER_MILLIS << Math.min(resends, 5));
            return last.seq() == seq && !last.acked() && now - atMillis >= wait;
        }
    }

    /** Per target, the newest generation some space held on its drives waits for an ack of. */
    private static Map<String, Long> releaseWaits(RecordedState state) {
        Map<String, String> targetOf = null;
        Map<String, Long> out = new HashMap<>();
        for (io.nvmesh.core.record.VolumeRecord v : state.volumes().values()) {
            for (io.nvmesh.core.record.HeldExtent h : v.releasing()) {
                if (targetOf == null) {
                    targetOf = new HashMap<>();
                    for (io.nvmesh.core.allocation.Target t : state.inventory().targets()) {
                        for (io.nvmesh.core.allocation.Drive d : t.drives()) {
                            targetOf.put(d.serial(), t.id());
                        }
                    }
                }
                String t = targetOf.get(h.serial());
                if (t != null) {
                    out.merge(t, h.since(), Math::max);
                }
            }
        }
        return out;
    }
}
