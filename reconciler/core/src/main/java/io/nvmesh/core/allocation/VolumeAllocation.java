package io.nvmesh.core.allocation;

import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Protection;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a volume lives: its chunks, and the part of its policy that placement promised (layout, protection,
 * domain scope), recorded so {@code fsck} can check a volume even if its policy has since changed.
 *
 * @param size the capacity the volume was asked for; its chunks may hold up to 1 MiB per data segment more
 * @param domainScope the failure-domain label key groups are spread over, or null for targets only
 */
public record VolumeAllocation(String volume, String policy, Layout layout, Protection protection, String domainScope,
        long size, List<Chunk> chunks) {

    public VolumeAllocation {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(protection, "protection");
        chunks = List.copyOf(chunks);
        for (int i = 0; i < chunks.size(); i++) {
            if (chunks.get(i).index() != i) {
                throw new IllegalArgumentException("volume " + volume + ": chunk " + i + " has index "
                        + chunks.get(i).index());
            }
        }
    }

    /** Bytes of data the chunks can hold. */
    public long placedCapacity() {
        return Chunk.dataBytes(chunks);
    }

    VolumeAllocation withChunks(long newSize, List<Chunk> added) {
        List<Chunk> all = new ArrayList<>(chunks);
        all.addAll(added);
        return new VolumeAllocation(volume, policy, layout, protection, domainScope, newSize, all);
    }

    VolumeAllocation withSegment(int chunk, int group, int segment, Extent to) {
        List<Chunk> cs = new ArrayList<>(chunks);
        Chunk c = cs.get(chunk);
        List<Group> gs = new ArrayList<>(c.groups());
        Group g = gs.get(group);
        List<Segment> ss = new ArrayList<>(g.segments());
        ss.set(segment, ss.get(segment).movedTo(to));
        gs.set(group, new Group(g.index(), ss));
        cs.set(chunk, new Chunk(c.index(), gs));
        return new VolumeAllocation(volume, policy, layout, protection, domainScope, size, cs);
    }

    /** Every segment's extent, in chunk, group, segment order. */
    public List<Extent> extents() {
        List<Extent> out = new ArrayList<>();
        for (Chunk c : chunks) {
            for (Group g : c.groups()) {
                for (Segment s : g.segments()) {
                    out.add(s.extent());
                }
            }
        }
        return out;
    }
}
