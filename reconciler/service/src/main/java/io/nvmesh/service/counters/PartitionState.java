package io.nvmesh.service.counters;

import java.util.Map;

/**
 * A partition's whole contribution as of a state version, from a {@link ContributionSource}.
 *
 * @param version  the state version it reflects; deltas of this version or older are already in it
 * @param counters counter key to value; zeros may be left out
 */
public record PartitionState(long version, Map<String, Long> counters) {

    public PartitionState {
        counters = Map.copyOf(counters);
        counters.keySet().forEach(CounterKeys::checkCounter);
    }
}
