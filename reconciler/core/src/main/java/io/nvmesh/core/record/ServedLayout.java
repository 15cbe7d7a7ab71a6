package io.nvmesh.core.record;

import java.util.List;
import java.util.Objects;

/**
 * What an agent-managed target serves, as recorded by the target's owner when the agent acked a layout: the extents,
 * and where they came from (the owner, the command's sequence number on that owner, the state commit the command was
 * computed from). Only the extents decide anything; the rest is for people and {@code fsck}.
 */
public record ServedLayout(String target, String owner, long seq, String stateCommit, List<ServedExtent> extents) {

    public ServedLayout {
        Objects.requireNonNull(target, "target");
        owner = owner == null ? "" : owner;
        stateCommit = stateCommit == null ? "" : stateCommit;
        extents = List.copyOf(extents);
    }

    /** Whether the same extents are served, wherever they came from. */
    public boolean servesSame(ServedLayout other) {
        return other != null && target.equals(other.target) && extents.equals(other.extents);
    }
}
