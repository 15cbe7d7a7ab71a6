package io.nvmesh.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.Performance;
import io.nvmesh.service.nodes.ReportedNode;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class PerformanceHistoryTest {

    private static ReportedNode target(String id, long lastReport, long reports, long iops) {
        return new ReportedNode(id, NodeKind.TARGET, "r1", true, Map.of(), TargetHealth.HEALTHY, List.of(),
                new Performance(iops, 0, 0, 0, 100, 200), 0, lastReport, reports);
    }

    @Test
    void keepsOneSamplePerReportAndDropsTheOldestBeyondItsCapacity() {
        PerformanceHistory h = PerformanceHistory.manual(3);
        for (int i = 1; i <= 5; i++) {
            h.record(List.of(target("t-1", 1000L * i, i, i)));
            h.record(List.of(target("t-1", 1000L * i, i, i))); // polled again before the next report: no new sample
        }
        assertThat(h.of("t-1")).extracting(PerformanceHistory.Sample::atMillis).containsExactly(3000L, 4000L, 5000L);
        assertThat(h.of("t-1")).extracting(s -> s.performance().readIops()).containsExactly(3L, 4L, 5L);
        assertThat(h.knows("t-1")).isTrue();
    }

    @Test
    void ignoresTheHelloAndClientsAndForgetsTargetsThatMovedAway() {
        PerformanceHistory h = PerformanceHistory.manual(10);
        ReportedNode client = new ReportedNode("c-1", NodeKind.CLIENT, "r1", true, Map.of(), TargetHealth.HEALTHY,
                List.of(), new Performance(5, 5, 5, 5, 5, 5), 0, 10, 1);
        h.record(List.of(target("t-1", 10, 0, 0), target("t-2", 10, 1, 7), client));
        assertThat(h.knows("t-1")).isFalse();
        assertThat(h.knows("c-1")).isFalse();
        assertThat(h.of("t-2")).hasSize(1);
        h.record(List.of(target("t-1", 20, 1, 1)));
        assertThat(h.knows("t-2")).isFalse();
        assertThat(h.of("t-2")).isEmpty();
        assertThat(h.of("t-1")).hasSize(1);
    }
}
