package io.nvmesh.service.counters;

import io.nvmesh.core.allocation.CapacityReport;
import io.nvmesh.core.allocation.Usage;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The capacity and health totals as one instance's counters hold them.
 *
 * @param cluster      bytes of the whole cluster
 * @param byDomain     bytes per failure domain, {@code rack=r1}
 * @param byDriveClass bytes per drive class
 * @param byTarget     bytes per target; empty unless asked for
 * @param servers      servers by kind then health: {@code target -> healthy -> 998}
 * @param drives       drives by health: {@code ok -> 23950}
 * @param volumes      volumes by status
 * @param consistent   false when a read fell between two halves of a replicated change (a total's parts did not add
 *                     up); asking again shortly gives a settled answer
 */
public record CapacitySnapshot(Usage cluster, Map<String, Usage> byDomain, Map<String, Usage> byDriveClass,
                               Map<String, Usage> byTarget, Map<String, Map<String, Long>> servers,
                               Map<String, Long> drives, Map<String, Long> volumes, boolean consistent) {

    public CapacitySnapshot {
        Objects.requireNonNull(cluster, "cluster");
        byDomain = sorted(byDomain);
        byDriveClass = sorted(byDriveClass);
        byTarget = sorted(byTarget);
        Map<String, Map<String, Long>> s = new TreeMap<>();
        servers.forEach((k, v) -> s.put(k, sorted(v)));
        servers = Collections.unmodifiableMap(s);
        drives = sorted(drives);
        volumes = sorted(volumes);
    }

    /** The byte counters in the core's shape, to compare with {@code CapacityLedger.report()}. */
    public CapacityReport report() {
        return new CapacityReport(cluster, byTarget, byDomain, byDriveClass);
    }

    private static <V> Map<String, V> sorted(Map<String, V> m) {
        return Collections.unmodifiableMap(new TreeMap<>(m));
    }
}
