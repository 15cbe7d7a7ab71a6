package io.nvmesh.core.allocation;

import java.util.List;

/** A RAID group: the copies of a mirror, the k+m blocks of erasure coding, or a lone segment. Equal lengths. */
public record Group(int index, List<Segment> segments) {

    public Group {
        segments = List.copyOf(segments);
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("group " + index + " has no segments");
        }
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i).index() != i) {
                throw new IllegalArgumentException("group " + index + ": segment " + i + " has index "
                        + segments.get(i).index());
            }
        }
    }

    /** The length of each segment (they are equal in a well-formed group). */
    public long segmentLength() {
        return segments.get(0).extent().length();
    }
}
