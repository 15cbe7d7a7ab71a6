package io.nvmesh.core.allocation;

import java.util.Objects;

/**
 * One segment going from one extent to another. {@code to} is null when no place keeps the group's protection.
 *
 * @param cause why it moves: {@code evacuate}, {@code rebuild} or {@code separation}, with detail
 * @param dataShare bytes of the segment that capacity figures count as data ({@link Group#dataShare}), the same at
 *        both ends: the ledger moves them from one drive to the other without looking at the group
 */
public record SegmentMove(int chunk, int group, int segment, Role role, Extent from, Extent to, String cause,
        long dataShare) {

    public SegmentMove {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(cause, "cause");
        if (to != null && to.length() != from.length()) {
            throw new IllegalArgumentException("a moved segment keeps its length");
        }
        if (dataShare < 0 || dataShare > from.length()) {
            throw new IllegalArgumentException("data share " + dataShare + " outside the segment's " + from.length()
                    + " bytes");
        }
    }
}
