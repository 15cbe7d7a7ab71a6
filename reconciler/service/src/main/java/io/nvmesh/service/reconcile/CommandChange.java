package io.nvmesh.service.reconcile;

import io.nvmesh.service.agent.Attachment;
import io.nvmesh.service.agent.SegmentLayout;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A node whose whole command changed with a state commit this instance made: a target's segments or a client's
 * attachments as they follow from that commit (an empty list when the node has nothing left to serve or attach).
 *
 * @param node        the node's id
 * @param target      a target (segments) or a client (attachments)
 * @param segments    what a target must serve; empty for a client
 * @param attachments what a client must attach; empty for a target
 * @param stateCommit the state commit the command follows from
 */
public record CommandChange(String node, boolean target, List<SegmentLayout> segments, List<Attachment> attachments,
                            String stateCommit) {

    public CommandChange {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(stateCommit, "stateCommit");
        segments = List.copyOf(segments);
        attachments = List.copyOf(attachments);
        if (target ? !attachments.isEmpty() : !segments.isEmpty()) {
            throw new IllegalArgumentException(node + ": targets take segments, clients attachments");
        }
    }

    /** The event topic of the node: {@code target/<id>} or {@code client/<id>}. */
    public String topic() {
        return (target ? "target/" : "client/") + node;
    }

    /** The nodes whose command differs between two computations, with their command in {@code after}. */
    static List<CommandChange> between(NodeCommands before, NodeCommands after, String stateCommit) {
        List<CommandChange> out = new ArrayList<>();
        TreeSet<String> targets = new TreeSet<>(before.segments().keySet());
        targets.addAll(after.segments().keySet());
        for (String t : targets) {
            List<SegmentLayout> now = after.segments().getOrDefault(t, List.of());
            if (!now.equals(before.segments().getOrDefault(t, List.of()))) {
                out.add(new CommandChange(t, true, now, List.of(), stateCommit));
            }
        }
        TreeSet<String> clients = new TreeSet<>(before.attachments().keySet());
        clients.addAll(after.attachments().keySet());
        for (String c : clients) {
            List<Attachment> now = after.attachments().getOrDefault(c, List.of());
            if (!now.equals(before.attachments().getOrDefault(c, List.of()))) {
                out.add(new CommandChange(c, false, List.of(), now, stateCommit));
            }
        }
        return out;
    }
}
