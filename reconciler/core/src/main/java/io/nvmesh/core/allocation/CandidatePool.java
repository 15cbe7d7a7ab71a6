package io.nvmesh.core.allocation;

import java.util.Collection;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The eligible drives of one (drive classes, target classes) pair, least filled first, plus the same drives
 * bucketed by size (quarter octaves). Within a bucket, least filled now is nearly least filled after taking a
 * segment, so the heads of the buckets are where a segment raises the fill ratio least.
 */
final class CandidatePool {

    final TreeSet<DriveSpace> all = new TreeSet<>(DriveSpace.LEAST_FILLED);
    private final TreeMap<Integer, TreeSet<DriveSpace>> bySize = new TreeMap<>();

    void add(DriveSpace d) {
        all.add(d);
        d.pools.add(all);
        TreeSet<DriveSpace> bucket = bySize.computeIfAbsent(sizeClass(d.capacity),
                k -> new TreeSet<>(DriveSpace.LEAST_FILLED));
        bucket.add(d);
        d.pools.add(bucket);
    }

    Collection<TreeSet<DriveSpace>> bySize() {
        return bySize.values();
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    private static int sizeClass(long capacity) {
        return (int) Math.floor(Math.log(capacity) / Math.log(2) * 4);
    }
}
