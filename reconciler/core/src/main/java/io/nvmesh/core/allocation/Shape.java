package io.nvmesh.core.allocation;

import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Size;
import io.nvmesh.schema.VolumePolicy;

/**
 * The geometry of one chunk under a policy: how many groups, how many segments per group, which of them hold data.
 *
 * @param tolerance segments a group can lose (mirrors or parity blocks); 0 for unprotected layouts
 * @param separateStripes whether the groups (stripes) of a chunk must not share a drive: a stripe width asks for that
 *        many drives working in parallel, unless the policy allows shared drives
 */
record Shape(Layout layout, int groups, int groupSize, int dataPerGroup, int tolerance, boolean separateStripes) {

    static Shape of(VolumePolicy p) {
        int dataPerGroup = p.layout().erasureCoded() ? p.dataBlocks() : 1;
        int tolerance = p.layout().mirrored() ? p.mirrors() : p.layout().erasureCoded() ? p.parityBlocks() : 0;
        return new Shape(p.layout(), p.groupsPerChunk(), p.groupSize(), dataPerGroup, tolerance,
                p.groupsPerChunk() > 1 && !p.allowSharedDrives());
    }

    /**
     * Distinct drives a chunk needs at least when its stripes may not share drives: each group needs as many targets
     * as its protection asks (so as many drives), and no drive serves two groups.
     */
    int drivesNeeded(int perTargetLimit) {
        return groups * ((groupSize + perTargetLimit - 1) / perTargetLimit);
    }

    int segments() {
        return groups * groupSize;
    }

    int dataSegments() {
        return groups * dataPerGroup;
    }

    Role role(int indexInGroup) {
        if (indexInGroup < dataPerGroup) {
            return Role.DATA;
        }
        return layout.mirrored() ? Role.MIRROR : Role.PARITY;
    }

    /** The segment length (whole MiB) that gives a chunk at least {@code bytes} of data. */
    long segmentLengthFor(long bytes) {
        long perSegment = -Math.floorDiv(-bytes, (long) dataSegments());
        return -Math.floorDiv(-perSegment, Extent.ALIGNMENT) * Extent.ALIGNMENT;
    }

    /** {@code raid10, 4 stripes × 2 copies of 256 GiB}: the chunk as an operator would describe it. */
    String describe(long segmentLength) {
        return describe(Size.ofBytes(segmentLength).human());
    }

    String describe(String len) {
        int parity = groupSize - dataPerGroup;
        return switch (layout) {
            case CONCATENATED -> "concatenated, 1 segment of " + len;
            case RAID0 -> "raid0, " + groups + " stripes of " + len;
            case RAID1 -> "raid1, " + groupSize + " copies of " + len;
            case RAID10 -> "raid10, " + groups + " stripes × " + groupSize + " copies of " + len;
            case ERASURE_CODING -> "erasure-coding " + dataPerGroup + "+" + parity + ", " + groupSize
                    + " segments of " + len;
            case STRIPED_ERASURE_CODING -> "striped-erasure-coding " + dataPerGroup + "+" + parity + ", " + groups
                    + " stripes × " + groupSize + " segments of " + len;
        };
    }
}
