package io.nvmesh.service.web;

import io.nvmesh.service.agent.Performance;
import io.nvmesh.service.web.PerformanceHistory.Sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A volume's performance estimated from the targets that hold its segments. Agents report per target, not per
 * volume, so each target's I/O is shared out by bytes: a volume holding a fraction {@code f} of the bytes allocated on
 * a target is credited with {@code f} of that target's IOPS and bandwidth. Latency is the worst the volume sees: the
 * highest p50 and p99 among its targets. Samples are aligned to buckets of one report interval; a bucket counts the
 * targets that reported in it (a target that missed one makes that bucket low, never wrong about the others).
 */
public final class VolumePerformance {

    private VolumePerformance() {
    }

    /**
     * @param shares      target id to the volume's share of the bytes allocated on it (0 to 1)
     * @param histories   target id to its samples (missing or empty when unknown)
     * @param bucketMillis the report interval
     */
    public static List<Sample> derive(Map<String, Double> shares, Map<String, List<Sample>> histories,
                                      long bucketMillis) {
        if (bucketMillis < 1) {
            throw new IllegalArgumentException("bucket must be at least 1 ms");
        }
        TreeMap<Long, double[]> buckets = new TreeMap<>();
        shares.forEach((target, share) -> {
            for (Sample s : histories.getOrDefault(target, List.of())) {
                long b = s.atMillis() / bucketMillis;
                double[] acc = buckets.computeIfAbsent(b, k -> new double[6]);
                Performance p = s.performance();
                acc[0] += share * p.readIops();
                acc[1] += share * p.writeIops();
                acc[2] += share * p.readBytesPerSecond();
                acc[3] += share * p.writeBytesPerSecond();
                acc[4] = Math.max(acc[4], p.latencyP50Micros());
                acc[5] = Math.max(acc[5], p.latencyP99Micros());
            }
        });
        List<Sample> out = new ArrayList<>(buckets.size());
        buckets.forEach((b, acc) -> out.add(new Sample(b * bucketMillis, new Performance(Math.round(acc[0]),
                Math.round(acc[1]), Math.round(acc[2]), Math.round(acc[3]), (long) acc[4],
                Math.max((long) acc[4], (long) acc[5])))));
        return out;
    }
}
