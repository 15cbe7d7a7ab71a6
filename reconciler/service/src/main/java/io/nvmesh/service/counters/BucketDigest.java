package io.nvmesh.service.counters;

import java.util.Objects;

/**
 * A summary of the entries one contributor wrote whose partitions hash into one bucket: how many, and the sum of
 * their fingerprints. Two instances holding the same entries have the same digests; a difference names the
 * (contributor, bucket) to pull.
 */
public record BucketDigest(String contributor, int bucket, long count, long hash) {

    public BucketDigest {
        Objects.requireNonNull(contributor, "contributor");
        if (bucket < 0 || bucket >= CounterTable.BUCKETS) {
            throw new IllegalArgumentException("bucket must be 0.." + (CounterTable.BUCKETS - 1) + ", got " + bucket);
        }
        if (count < 0) {
            throw new IllegalArgumentException("negative count " + count);
        }
    }
}
