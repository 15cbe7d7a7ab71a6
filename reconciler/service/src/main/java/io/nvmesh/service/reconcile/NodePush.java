package io.nvmesh.service.reconcile;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.schema.Volume;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.Attachment;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.SegmentLayout;
import io.nvmesh.service.nodes.AgentHub;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sends each node whose agent is connected here what it must serve or attach, as follows from the observed state and
 * the desired volumes, when that differs from what it was last sent; remembers what was sent, and keeps the last
 * computed node commands for the loop's announcements. Confined to the loop thread, but for {@link #pushedCommit}.
 */
final class NodePush {

    private final AgentHub agents;
    private final ServedRecorder served;
    /** The last command sent to each connected node, to send only what changed. */
    private final Map<String, Object> sent = new HashMap<>();
    /** The state generation the last command sent to each target was computed from. */
    private final Map<String, Long> sentGeneration = new HashMap<>();
    /** The node commands last computed, and the state commit and desired volumes of it. */
    private NodeCommands commands = new NodeCommands(Map.of(), Map.of());
    private String commandsCommit = "";
    private List<Volume> commandsDesired = List.of();
    /** The state commit the last push to the agents connected here followed from. */
    private volatile String pushedCommit = "";

    NodePush(AgentHub agents, ServedRecorder served) {
        this.agents = agents;
        this.served = served;
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
        for (String node : connected) {
            boolean target = targets.contains(node);
            List<SegmentLayout> segments = target ? commands.segments().getOrDefault(node, List.of()) : List.of();
            List<Attachment> attachments = target ? List.of()
                    : commands.attachments().getOrDefault(node, List.of());
            Object content = target ? segments : attachments;
            if (content.equals(sent.get(node))
                    && agents.command(target ? NodeKind.TARGET : NodeKind.CLIENT, node).isPresent()
                    && (!target || sentGeneration.getOrDefault(node, 0L) >= waiting.getOrDefault(node, 0L))) {
                continue;
            }
            long seq = agents.nextCommandSeq();
            if (target) {
                served.computedFrom(seq, observed.commitId(), observed.generation()); // before the ack can arrive
            }
            if (agents.send(node, new AgentMessage.Command(seq, segments, attachments))) {
                sent.put(node, content);
                sentGeneration.put(node, observed.generation());
                count++;
            }
        }
        return count;
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
