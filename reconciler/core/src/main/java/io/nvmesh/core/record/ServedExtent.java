package io.nvmesh.core.record;

import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.VolumeAllocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One extent a target serves (or must serve): bytes {@code [offset, offset + length)} of drive {@code serial} hold
 * segment {@code segment} of {@code volume}. The segment key is the segment's position in the volume, counted over
 * chunks, groups and segments in order: growing a volume appends keys, moving a segment keeps its key.
 */
public record ServedExtent(String volume, int segment, String serial, long offset, long length) {

    public ServedExtent {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(serial, "serial");
        if (segment < 0 || offset < 0 || length <= 0) {
            throw new IllegalArgumentException("segment " + volume + "#" + segment
                    + ": key and offset must not be negative, length must be positive");
        }
    }

    /** Every segment of the allocation as the extent its target must serve, in segment-key order. */
    public static List<ServedExtent> of(VolumeAllocation a) {
        List<ServedExtent> out = new ArrayList<>();
        for (Chunk c : a.chunks()) {
            for (Group g : c.groups()) {
                for (Segment s : g.segments()) {
                    out.add(new ServedExtent(a.volume(), out.size(), s.extent().serial(), s.extent().offset(),
                            s.extent().length()));
                }
            }
        }
        return out;
    }
}
