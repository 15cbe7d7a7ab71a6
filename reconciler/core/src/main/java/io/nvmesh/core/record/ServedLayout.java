package io.nvmesh.core.record;

import java.util.List;
import java.util.Objects;

/**
 * What an agent-managed target serves, as recorded by the target's owner when the agent acked a layout: the extents,
 * and where they came from (the owner, the command's sequence number on that owner, the state commit the command was
 * computed from, and that commit's generation). The extents decide a volume's status; {@code stateGeneration} decides
 * whether held space was released ({@link Release}); the rest is for people and {@code fsck}.
 */
public record ServedLayout(String target, String owner, long seq, String stateCommit, List<ServedExtent> extents,
        long stateGeneration) {

    public ServedLayout {
        Objects.requireNonNull(target, "target");
        owner = owner == null ? "" : owner;
        stateCommit = stateCommit == null ? "" : stateCommit;
        extents = List.copyOf(extents);
        if (stateGeneration < 0) {
            throw new IllegalArgumentException("served layout of " + target + ": negative state generation");
        }
    }

    /** A layout whose command's state generation is unknown (0: it proves no release). */
    public ServedLayout(String target, String owner, long seq, String stateCommit, List<ServedExtent> extents) {
        this(target, owner, seq, stateCommit, extents, 0);
    }

    /** Whether the same extents are served, wherever they came from. */
    public boolean servesSame(ServedLayout other) {
        return other != null && target.equals(other.target) && extents.equals(other.extents);
    }
}
