package io.nvmesh.core.allocation;

import java.util.List;

/**
 * A slice of a volume's address space striped over its groups. A volume grows by whole chunks; a chunk never
 * changes size once placed, only its segments move.
 */
public record Chunk(int index, List<Group> groups) {

    public Chunk {
        groups = List.copyOf(groups);
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("chunk " + index + " has no groups");
        }
    }

    /** Bytes of data (not mirror or parity) the chunks hold. */
    static long dataBytes(List<Chunk> chunks) {
        long sum = 0;
        for (Chunk c : chunks) {
            for (Group g : c.groups()) {
                for (Segment s : g.segments()) {
                    if (s.role() == Role.DATA) {
                        sum += s.extent().length();
                    }
                }
            }
        }
        return sum;
    }
}
