package io.nvmesh.service.nodes;

import io.nvmesh.core.allocation.Client;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.Performance;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The latest word of one node this instance owns.
 *
 * @param owner                this instance's id
 * @param connected            whether its agent is connected now (a stopped node stays listed, unhealthy)
 * @param health               as reported; {@code UNHEALTHY} once its agent went away
 * @param drives               a target's drives, sorted by serial; empty for a client
 * @param connectedSinceMillis epoch milliseconds of the current (or last) welcome
 * @param lastReportMillis     epoch milliseconds of the last hello or report
 * @param reports              reports received on the current connection
 */
public record ReportedNode(String id, NodeKind kind, String owner, boolean connected, Map<String, String> labels,
                           TargetHealth health, List<Drive> drives, Performance performance,
                           long connectedSinceMillis, long lastReportMillis, long reports) {

    public ReportedNode {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(owner, "owner");
        labels = Collections.unmodifiableMap(new TreeMap<>(labels));
        Objects.requireNonNull(health, "health");
        drives = sortedBySerial(drives) ? List.copyOf(drives)
                : drives.stream().sorted((a, b) -> a.serial().compareTo(b.serial())).toList();
        Objects.requireNonNull(performance, "performance");
    }

    /** Agents list their drives in the same order every time, so a report rarely needs sorting. */
    private static boolean sortedBySerial(List<Drive> drives) {
        for (int i = 1; i < drives.size(); i++) {
            if (drives.get(i - 1).serial().compareTo(drives.get(i).serial()) > 0) {
                return false;
            }
        }
        return true;
    }

    /** As the allocation engine's inventory record. */
    public Target asTarget() {
        return new Target(id, labels, health, drives);
    }

    public Client asClient() {
        return new Client(id, labels);
    }

    ReportedNode withDrives(List<Drive> newDrives) {
        return new ReportedNode(id, kind, owner, connected, labels, health, newDrives, performance,
                connectedSinceMillis, lastReportMillis, reports);
    }

    ReportedNode disconnected() {
        return new ReportedNode(id, kind, owner, false, labels, TargetHealth.UNHEALTHY, drives, Performance.IDLE,
                connectedSinceMillis, lastReportMillis, reports);
    }
}
