package io.nvmesh.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.Usage;
import io.nvmesh.service.counters.CapacitySnapshot;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CapacityHistoryTest {

    private static CapacitySnapshot snapshot(long free, long data, long redundant, boolean consistent) {
        Usage u = new Usage(free + data + redundant, free, data, redundant, 0, 0);
        return new CapacitySnapshot(u, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), consistent);
    }

    @Test
    void keepsTheLastSamplesOldestFirst() {
        CapacityHistory h = CapacityHistory.manual(3, Duration.ofSeconds(5));
        for (int i = 1; i <= 5; i++) {
            h.record(i * 1000L, snapshot(100 - i, i, 0, true));
        }
        assertThat(h.samples()).extracting(CapacityHistory.Sample::atMillis).containsExactly(3000L, 4000L, 5000L);
        assertThat(h.samples().get(2).cluster()).isEqualTo(new Usage(100, 95, 5, 0, 0, 0));
    }

    @Test
    void aHalfAppliedReadAndAnEmptyClusterAreNotDrawnAsADip() {
        CapacityHistory h = CapacityHistory.manual(10, Duration.ofSeconds(5));
        h.record(1000, snapshot(0, 0, 0, true));
        h.record(2000, snapshot(90, 6, 4, true));
        h.record(3000, snapshot(90, 6, 0, false));
        assertThat(h.samples()).extracting(CapacityHistory.Sample::atMillis).containsExactly(2000L);
        assertThat(h.samples().get(0).cluster().allocated()).isEqualTo(10);
    }
}
