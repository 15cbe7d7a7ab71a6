package io.nvmesh.core.allocation;

import java.util.Objects;

/**
 * One segment going from one extent to another. {@code to} is null when no place keeps the group's protection.
 *
 * @param cause why it moves: {@code evacuate}, {@code rebuild} or {@code separation}, with detail
 */
public record SegmentMove(int chunk, int group, int segment, Role role, Extent from, Extent to, String cause) {

    public SegmentMove {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(cause, "cause");
        if (to != null && to.length() != from.length()) {
            throw new IllegalArgumentException("a moved segment keeps its length");
        }
    }
}
