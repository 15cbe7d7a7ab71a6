package io.nvmesh.service.counters;

import java.util.Objects;

/**
 * One counter of one partition's contribution, as stored and as replicated: an absolute value, never an increment,
 * so that applying an entry twice or out of order is harmless.
 */
public record CounterEntry(String partition, String counter, long value, Stamp stamp) {

    public CounterEntry {
        CounterKeys.checkPartition(partition);
        CounterKeys.checkCounter(counter);
        Objects.requireNonNull(stamp, "stamp");
    }

    String key() {
        return key(partition, counter);
    }

    static String key(String partition, String counter) {
        return partition + CounterKeys.SEPARATOR + counter;
    }

    /** Order-independent fingerprint of the whole entry, summed into digests. */
    long fingerprint() {
        long h = mix(partition.hashCode() * 0x9E3779B97F4A7C15L ^ counter.hashCode());
        h = mix(h ^ value);
        h = mix(h ^ stamp.term() * 31 ^ stamp.contributor().hashCode());
        h = mix(h ^ stamp.epoch());
        return mix(h ^ stamp.seq());
    }

    static int bucketOf(String partition, int buckets) {
        return (int) Long.remainderUnsigned(mix(partition.hashCode()), buckets);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
