package io.nvmesh.core.allocation;

import java.util.Objects;

/** One member of a RAID group: its index in the group, its role and the extent that holds it. */
public record Segment(int index, Role role, Extent extent) {

    public Segment {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(extent, "extent");
        if (index < 0) {
            throw new IllegalArgumentException("negative segment index " + index);
        }
    }

    Segment movedTo(Extent to) {
        return new Segment(index, role, to);
    }
}
