package io.nvmesh.service.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.Performance;
import io.nvmesh.service.nodes.ReportedNode;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Which node changes are not handed to the publishing thread at all: only those after which {@code publish} would say
 * nothing (PublishedEventsTest shows, end to end, that the others are published).
 */
class NodeEventsFilterTest {

    private static final Drive A = new Drive("S-A", 1L << 40, DriveHealth.OK, Map.of());
    private static final Drive B = new Drive("S-B", 1L << 40, DriveHealth.OK, Map.of());

    private static ReportedNode target(boolean connected, TargetHealth health, List<Drive> drives, long reports) {
        return new ReportedNode("t-1", NodeKind.TARGET, "r1", connected, Map.of("zone", "a"), health, drives,
                new Performance(reports, 0, 0, 0, 0, 0), 1, 1 + reports, reports);
    }

    private static ReportedNode client(boolean connected, long reports) {
        return new ReportedNode("c-1", NodeKind.CLIENT, "r1", connected, Map.of(), TargetHealth.HEALTHY, List.of(),
                Performance.IDLE, 1, 1 + reports, reports);
    }

    @Test
    void aReportThatChangesNoHealthIsNotHandedOver() {
        assertThat(NodeEvents.publishesNothing(target(true, TargetHealth.HEALTHY, List.of(A, B), 1),
                target(true, TargetHealth.HEALTHY, List.of(A, B), 2))).isTrue();
        assertThat(NodeEvents.publishesNothing(client(true, 1), client(true, 2))).isTrue();
        // Capacity or labels of a drive are not published as health: still nothing.
        assertThat(NodeEvents.publishesNothing(target(true, TargetHealth.HEALTHY, List.of(A), 1),
                target(true, TargetHealth.HEALTHY, List.of(new Drive("S-A", 1L << 41, DriveHealth.OK,
                        Map.of("model", "x"))), 2))).isTrue();
    }

    @Test
    void everyChangeThatPublishesIsHandedOver() {
        ReportedNode before = target(true, TargetHealth.HEALTHY, List.of(A, B), 1);
        List<ReportedNode> changed = List.of(
                target(false, TargetHealth.UNHEALTHY, List.of(A, B), 1),
                target(true, TargetHealth.UNHEALTHY, List.of(A, B), 2),
                target(true, TargetHealth.HEALTHY, List.of(A, B.withHealth(DriveHealth.FAILED)), 2),
                target(true, TargetHealth.HEALTHY, List.of(A), 2),
                target(true, TargetHealth.HEALTHY, List.of(A, new Drive("S-C", 1L << 40, DriveHealth.OK,
                        Map.of())), 2));
        for (ReportedNode next : changed) {
            assertThat(NodeEvents.publishesNothing(before, next)).as(next.toString()).isFalse();
        }
        assertThat(NodeEvents.publishesNothing(null, before)).isFalse();
        assertThat(NodeEvents.publishesNothing(before, null)).isFalse();
        assertThat(NodeEvents.publishesNothing(client(true, 1), client(false, 1))).isFalse();
        assertThat(NodeEvents.publishesNothing(null, client(true, 0))).isFalse();
    }
}
