package io.nvmesh.service.counters;

/**
 * Where a new owner reads the whole contribution of a partition it takes over (recorded state in Git plus what the
 * node's agent reports). Contract with {@link Counters#apply}: a delta of version {@code v} is delivered only once
 * the state of version {@code v} is readable here, so that a state read after a skipped delta already contains it.
 */
@FunctionalInterface
public interface ContributionSource {

    PartitionState stateOf(String partition);
}
