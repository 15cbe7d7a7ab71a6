package io.nvmesh.core.allocation;

import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The packing benchmark's baseline, written here and not in the planner: how NVMesh allocates. Each segment in turn
 * takes the drive with the largest free extent that the separation rules allow, one segment at a time, never looking
 * ahead or back. It obeys the planner's rules: the same ladder of rungs (one segment of a group per target and domain
 * first, then the protection's limit; distinct drives first), stripes of a chunk on drives of their own, at most
 * {@value Placement#MAX_CHUNKS} chunks per volume. A chunk is as long as the volume needs when the greedy choice
 * holds it, else as long as the drives the greedy choice picked can hold (so a full fleet still takes smaller
 * chunks, as the planner's splitting does).
 *
 * <p>Volumes only arrive, so every drive's free space is one extent at its end.
 */
final class GreedyPacker {

    private final int n;
    private final String[] serial;
    private final long[] capacity;
    private final long[] free;
    private final int[] target;
    private final List<Target> targets;
    private final List<Drive> drives = new ArrayList<>();
    private final Map<String, int[]> domainIds = new HashMap<>();

    GreedyPacker(Inventory inventory) {
        this.targets = inventory.targets();
        List<Integer> owner = new ArrayList<>();
        for (int t = 0; t < targets.size(); t++) {
            for (Drive d : targets.get(t).drives()) {
                drives.add(d);
                owner.add(t);
            }
        }
        n = drives.size();
        serial = new String[n];
        capacity = new long[n];
        free = new long[n];
        target = new int[n];
        for (int i = 0; i < n; i++) {
            serial[i] = drives.get(i).serial();
            capacity[i] = drives.get(i).usableCapacity();
            free[i] = capacity[i];
            target[i] = owner.get(i);
        }
    }

    /** Places the volume and returns where, or null (nothing changed) when the greedy choice cannot place it. */
    VolumeAllocation place(Volume v, VolumePolicy p) {
        Shape shape = Shape.of(p);
        List<Separation.Rule> rules = Separation.ladder(p.protection(), shape.groupSize(), shape.tolerance(),
                shape.separateStripes() ? shape.groupSize() : shape.segments());
        int[] domains = domains(p.domainScope());
        long[] before = free.clone();
        List<Chunk> chunks = new ArrayList<>();
        long remaining = v.capacity().size().bytes();
        while (remaining > 0) {
            if (chunks.size() >= Placement.MAX_CHUNKS) {
                System.arraycopy(before, 0, free, 0, n);
                return null;
            }
            long want = shape.segmentLengthFor(remaining);
            int[] chosen = null;
            long length = want;
            for (Separation.Rule rule : rules) {
                if ((chosen = pick(shape, rule, domains, want)) != null) {
                    break;
                }
            }
            if (chosen == null) {
                for (Separation.Rule rule : rules) {
                    if ((chosen = pick(shape, rule, domains, Extent.ALIGNMENT)) != null) {
                        length = want;
                        int[] count = new int[n];
                        for (int d : chosen) {
                            count[d]++;
                        }
                        for (int d : chosen) {
                            long each = free[d] / count[d];
                            length = Math.min(length, each - each % Extent.ALIGNMENT);
                        }
                        break;
                    }
                }
            }
            if (chosen == null) {
                System.arraycopy(before, 0, free, 0, n);
                return null;
            }
            chunks.add(commit(shape, chosen, length, chunks.size()));
            remaining -= length * shape.dataSegments();
        }
        return new VolumeAllocation(v.name(), p.name(), p.layout(), p.protection(), p.domainScope(),
                v.capacity().size().bytes(), chunks);
    }

    /** For each segment of a chunk in turn, the allowed drive with the most free space; null if a segment has none. */
    private int[] pick(Shape shape, Separation.Rule rule, int[] domains, long length) {
        int segments = shape.segments();
        int[] chosen = new int[segments];
        int[] taken = new int[n];
        for (int slot = 0; slot < segments; slot++) {
            int groupStart = slot - slot % shape.groupSize();
            int best = -1;
            for (int d = 0; d < n; d++) {
                long left = free[d] - taken[d] * length;
                if (taken[d] >= rule.perDrive() || left < length || best >= 0 && left <= free[best] - taken[best]
                        * length || !apart(chosen, groupStart, slot, d, rule, domains, taken, shape)) {
                    continue;
                }
                best = d;
            }
            if (best < 0) {
                return null;
            }
            chosen[slot] = best;
            taken[best]++;
        }
        return chosen;
    }

    private boolean apart(int[] chosen, int groupStart, int slot, int d, Separation.Rule rule, int[] domains,
            int[] taken, Shape shape) {
        int sameTarget = 0;
        int sameDomain = 0;
        int sameDrive = 0;
        for (int i = groupStart; i < slot; i++) {
            int o = chosen[i];
            sameDrive += o == d ? 1 : 0;
            if (target[o] == target[d] && ++sameTarget >= rule.perTarget()) {
                return false;
            }
            if (domains != null && domains[o] == domains[d] && ++sameDomain >= rule.perDomain()) {
                return false;
            }
        }
        return !shape.separateStripes() || taken[d] == sameDrive;
    }

    private Chunk commit(Shape shape, int[] chosen, long length, int index) {
        List<Group> groups = new ArrayList<>();
        for (int g = 0; g < shape.groups(); g++) {
            List<Segment> segments = new ArrayList<>();
            for (int s = 0; s < shape.groupSize(); s++) {
                int d = chosen[g * shape.groupSize() + s];
                long offset = capacity[d] - free[d];
                free[d] -= length;
                segments.add(new Segment(s, shape.role(s), new Extent(serial[d], offset, length)));
            }
            groups.add(new Group(g, segments));
        }
        return new Chunk(index, groups);
    }

    private int[] domains(String key) {
        if (key == null) {
            return null;
        }
        return domainIds.computeIfAbsent(key, k -> {
            Map<String, Integer> ids = new HashMap<>();
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = ids.computeIfAbsent(Separation.domain(targets.get(target[i]), drives.get(i), k),
                        x -> ids.size());
            }
            return out;
        });
    }
}
