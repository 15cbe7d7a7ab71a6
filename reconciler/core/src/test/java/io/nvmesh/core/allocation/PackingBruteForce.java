package io.nvmesh.core.allocation;

import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The exact optimum of the packing benchmark's question on tiny cases: the longest prefix of a stream that any
 * placement keeping the planner's rules can hold. Exhaustive over every split of each volume into chunks of whole
 * {@link #UNIT} segments and every assignment of their segments to drives: at most the protection's limit of a group
 * per target and per domain, stripes of a chunk on drives of their own, no drive over its usable bytes. Volumes only
 * arrive, so a drive holds any set of extents whose lengths fit its capacity, and its state is its free units.
 *
 * <p>Volumes are whole GiB (the schema's minimum is 1 GiB), so with 1, 2 or 4 data segments per chunk every segment
 * the planner or the greedy baseline cuts without splitting is a whole number of units, and so is every split the
 * greedy baseline makes on drives of whole GiB. The planner may split at other lengths; a test compares it with this
 * optimum only when it did not. Meant for 3–4 targets of drives of a few GiB and a handful of volumes.
 */
final class PackingBruteForce {

    /** The granularity of the search: a quarter GiB. */
    static final long UNIT = 256 * io.nvmesh.schema.Size.MiB;

    private final int drives;
    private final int[] target;
    private final int[] capacity;
    private final Map<String, int[]> domainIds = new HashMap<>();
    private final List<Target> targets;
    private final List<Drive> driveList = new ArrayList<>();
    private final Map<Long, Integer> memo = new HashMap<>();
    private List<Volume> stream;
    private Function<String, VolumePolicy> policies;
    private int atMost;

    PackingBruteForce(Inventory fleet) {
        targets = fleet.targets();
        List<Integer> owner = new ArrayList<>();
        for (int t = 0; t < targets.size(); t++) {
            for (Drive d : targets.get(t).drives()) {
                driveList.add(d);
                owner.add(t);
            }
        }
        drives = driveList.size();
        target = owner.stream().mapToInt(Integer::intValue).toArray();
        capacity = driveList.stream().mapToInt(d -> Math.toIntExact(d.usableCapacity() / UNIT)).toArray();
        if (drives > 10 || java.util.Arrays.stream(capacity).anyMatch(c -> c > 15)) {
            throw new IllegalArgumentException("too large for brute force: at most 10 drives of at most 15 units");
        }
    }

    /** How many volumes of the stream, in order, the best placement holds before one does not fit. */
    int longestPrefix(List<Volume> stream, Function<String, VolumePolicy> policies) {
        return longestPrefix(stream, policies, stream.size());
    }

    /**
     * The same, knowing that it is at most {@code atMost} (an upper bound, such as {@link PackingBound}'s): the search
     * stops as soon as a placement reaches it. A wrong {@code atMost} can only make the answer smaller.
     */
    int longestPrefix(List<Volume> stream, Function<String, VolumePolicy> policies, int atMost) {
        this.stream = stream;
        this.policies = policies;
        this.atMost = Math.min(atMost, stream.size());
        memo.clear();
        return stream.isEmpty() ? 0 : best(0, units(stream.get(0)), capacity.clone());
    }

    private static int units(Volume v) {
        if (v.capacity().size().bytes() % UNIT != 0) {
            throw new IllegalArgumentException("volume " + v.name() + " is not a whole number of units");
        }
        return Math.toIntExact(v.capacity().size().bytes() / UNIT);
    }

    /** Volumes from {@code i} on that can be placed whole, in order, with {@code rem} units of volume i to place. */
    private int best(int i, int rem, int[] free) {
        if (rem <= 0) {
            return 1 + (i + 1 < atMost ? best(i + 1, units(stream.get(i + 1)), free) : 0);
        }
        long key = key(i, rem, free);
        Integer known = memo.get(key);
        if (known != null) {
            return known;
        }
        VolumePolicy p = policies.apply(stream.get(i).policy());
        Shape shape = Shape.of(p);
        int limit = Separation.limit(p.protection(), shape.groupSize(), shape.tolerance());
        int[] domains = domains(p.domainScope());
        int most = 0;
        int longest = (rem + shape.dataSegments() - 1) / shape.dataSegments();
        for (int length = longest; length >= 1 && most < atMost - i; length--) {
            most = Math.max(most, assign(i, rem - length * shape.dataSegments(), free, shape, limit, domains,
                    length, new int[shape.segments()], 0, most));
        }
        memo.put(key, most);
        return most;
    }

    /** Tries every assignment of the chunk's segments from {@code slot} on; the best result of placing on. */
    private int assign(int i, int rem, int[] free, Shape shape, int limit, int[] domains, int length, int[] chosen,
            int slot, int most) {
        if (slot == chosen.length) {
            return Math.max(most, best(i, rem, free));
        }
        int g = slot / shape.groupSize();
        int start = g * shape.groupSize();
        // Segments of a group are interchangeable (non-decreasing drives), and so are stripes (by first drive).
        int from = slot > start ? chosen[slot - 1]
                : g > 0 ? chosen[start - shape.groupSize()] + (shape.separateStripes() ? 1 : 0) : 0;
        for (int d = from; d < drives && most < atMost - i; d++) {
            if (free[d] < length || !allowed(d, chosen, start, slot, shape, limit, domains)) {
                continue;
            }
            chosen[slot] = d;
            free[d] -= length;
            most = Math.max(most, assign(i, rem, free, shape, limit, domains, length, chosen, slot + 1, most));
            free[d] += length;
        }
        return most;
    }

    private boolean allowed(int d, int[] chosen, int start, int slot, Shape shape, int limit, int[] domains) {
        int sameTarget = 0;
        int sameDomain = 0;
        for (int s = start; s < slot; s++) {
            sameTarget += target[chosen[s]] == target[d] ? 1 : 0;
            sameDomain += domains != null && domains[chosen[s]] == domains[d] ? 1 : 0;
        }
        if (sameTarget >= limit || sameDomain >= limit) {
            return false;
        }
        if (shape.separateStripes()) {
            for (int s = 0; s < start; s++) {
                if (chosen[s] == d) {
                    return false;
                }
            }
        }
        return true;
    }

    private long key(int i, int rem, int[] free) {
        long k = ((long) i << 8) | rem;
        for (int f : free) {
            k = (k << 4) | f;
        }
        return k;
    }

    private int[] domains(String key) {
        if (key == null) {
            return null;
        }
        return domainIds.computeIfAbsent(key, k -> {
            Map<String, Integer> ids = new HashMap<>();
            int[] out = new int[drives];
            for (int d = 0; d < drives; d++) {
                out[d] = ids.computeIfAbsent(Separation.domain(targets.get(target[d]), driveList.get(d), k),
                        x -> ids.size());
            }
            return out;
        });
    }
}
