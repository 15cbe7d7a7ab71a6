package io.nvmesh.service.counters;

import java.util.Objects;

/**
 * A change of one counter within one partition's contribution, e.g. {@code (target/t-07, bytes/free/cluster,
 * -1073741824)}. Only the owner of the partition applies it; peers learn the resulting absolute value.
 *
 * @param partition an ownership key ({@code target/t-07}, {@code volume/db-01}, {@code client/app-01})
 * @param counter   a counter key, see {@link CounterKeys}
 * @param delta     how much the counter changes; never 0
 */
public record CounterDelta(String partition, String counter, long delta) {

    public CounterDelta {
        CounterKeys.checkPartition(partition);
        CounterKeys.checkCounter(counter);
        if (delta == 0) {
            throw new IllegalArgumentException("a delta of 0 on " + partition + " " + counter + " changes nothing");
        }
    }
}
