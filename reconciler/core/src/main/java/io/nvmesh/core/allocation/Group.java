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

    /**
     * Bytes of segment {@code index} that capacity figures count as data; the rest of its length is redundant. A
     * mirror's or a lone group's data segment is all data and a copy none. Erasure coding spreads data and parity over
     * every segment (NVMesh splits each k:m), so each segment of a k+m group holds length×k/(k+m) data; the remainder
     * of the division goes one byte each to the lowest indices, so the group's data is exactly k×length, as whole data
     * segments would count it.
     */
    public long dataShare(int index) {
        Segment s = segments.get(index);
        long length = s.extent().length();
        int data = 0;
        boolean coded = false;
        for (int i = 0; i < segments.size(); i++) { // by index: no iterator per call (600,000 calls a recount)
            Role r = segments.get(i).role();
            data += r == Role.DATA ? 1 : 0;
            coded |= r == Role.PARITY;
        }
        if (!coded) {
            return s.role() == Role.DATA ? length : 0;
        }
        long bytes = length * data;
        int n = segments.size();
        return bytes / n + (index < bytes % n ? 1 : 0);
    }

    /** The length of each segment (they are equal in a well-formed group). */
    public long segmentLength() {
        return segments.get(0).extent().length();
    }
}
