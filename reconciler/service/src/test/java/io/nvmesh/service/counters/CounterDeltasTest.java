package io.nvmesh.service.counters;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.DriveHealth;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Deltas derived from events add up to what a full recomputation gives, change after change. */
class CounterDeltasTest {

    @Test
    void deltasOfRandomChangesAlwaysAddUpToTheFullRecomputation() throws InterruptedException {
        for (long seed = 1; seed <= 3; seed++) {
            CounterWorld world = CounterWorld.generate(12, 4, 3, seed);
            try (Counters counters = Counters.onHeap("r1", 1)) {
                counters.follow(new HashSet<>(world.keys()));
                counters.contributeFrom(world);
                counters.awaitIdle(Duration.ofSeconds(5));
                assertThat(counters.totals()).isEqualTo(world.expectedTotals());
                for (int i = 0; i < 60; i++) {
                    CounterWorld.Change change = world.randomChange();
                    counters.apply(change.version(), change.deltas());
                    if (change.keysChanged()) {
                        counters.follow(new HashSet<>(world.keys()));
                        counters.awaitIdle(Duration.ofSeconds(5));
                    }
                    assertThat(counters.totals()).as("seed %d after %s", seed, change.what())
                            .isEqualTo(world.expectedTotals());
                    assertThat(counters.capacity(true).report()).as("seed %d after %s", seed, change.what())
                            .isEqualTo(world.expectedReport());
                }
            }
        }
    }

    @Test
    void aFailedDriveMovesItsWholeCapacityToOffline() {
        CounterWorld world = CounterWorld.generate(3, 2, 3, 7);
        world.createVolumes(3);
        Map<String, Long> before = world.expectedTotals();
        CounterWorld.Change change = world.setDriveHealth(DriveHealth.FAILED);

        long offline = change.deltas().stream()
                .filter(d -> d.counter().equals(CounterKeys.bytes("offline", "cluster")))
                .mapToLong(CounterDelta::delta).sum();
        long usable = change.deltas().stream()
                .filter(d -> d.counter().startsWith("bytes/") && d.counter().endsWith("/cluster")
                        && !d.counter().startsWith("bytes/offline/") && !d.counter().startsWith("bytes/total/"))
                .mapToLong(CounterDelta::delta).sum();
        assertThat(offline).as("bytes gone offline").isPositive().isEqualTo(-usable);
        assertThat(world.expectedTotals().get("bytes/total/cluster")).isEqualTo(before.get("bytes/total/cluster"));
    }

    @Test
    void aPlanMovesBytesFromFreeToDataAndRedundantOnly() {
        CounterWorld world = CounterWorld.generate(6, 3, 3, 11);
        CounterWorld.Change change = world.createVolumes(4);

        Map<String, Long> byField = new java.util.TreeMap<>();
        change.deltas().stream().filter(d -> d.counter().startsWith("bytes/") && d.counter().endsWith("/cluster"))
                .forEach(d -> byField.merge(d.counter(), d.delta(), Long::sum));
        assertThat(byField).doesNotContainKeys("bytes/total/cluster", "bytes/offline/cluster");
        assertThat(byField.get("bytes/free/cluster")).isNegative();
        assertThat(byField.values().stream().mapToLong(Long::longValue).sum()).isZero();
    }
}
