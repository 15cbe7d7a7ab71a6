package io.nvmesh.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.service.agent.Performance;
import io.nvmesh.service.web.PerformanceHistory.Sample;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class VolumePerformanceTest {

    @Test
    void sharesEachTargetsIoByBytesAndTakesTheWorstLatency() {
        Map<String, List<Sample>> histories = Map.of(
                "t-1", List.of(new Sample(1_000, new Performance(1000, 400, 8000, 2000, 100, 900)),
                        new Sample(2_050, new Performance(2000, 0, 0, 0, 50, 50))),
                "t-2", List.of(new Sample(1_400, new Performance(100, 100, 1000, 1000, 300, 500))));
        List<Sample> derived = VolumePerformance.derive(Map.of("t-1", 0.5, "t-2", 1.0, "t-3", 1.0), histories, 1_000);
        assertThat(derived).extracting(Sample::atMillis).containsExactly(1_000L, 2_000L);
        assertThat(derived.get(0).performance()).isEqualTo(new Performance(600, 300, 5000, 2000, 300, 900));
        assertThat(derived.get(1).performance()).isEqualTo(new Performance(1000, 0, 0, 0, 50, 50));
    }

    @Test
    void aVolumeOnTargetsWithoutHistoryHasNoSamples() {
        assertThat(VolumePerformance.derive(Map.of("t-1", 1.0), Map.of(), 1_000)).isEmpty();
    }
}
