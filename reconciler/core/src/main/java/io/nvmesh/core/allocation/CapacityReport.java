package io.nvmesh.core.allocation;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Capacity per cluster, per target, per failure domain ({@code rack=r1}) and per drive class, each map sorted by
 * key. A drive in several drive classes counts in each.
 */
public record CapacityReport(Usage cluster, Map<String, Usage> byTarget, Map<String, Usage> byDomain,
        Map<String, Usage> byDriveClass) {

    public CapacityReport {
        Objects.requireNonNull(cluster, "cluster");
        byTarget = Collections.unmodifiableMap(new TreeMap<>(byTarget));
        byDomain = Collections.unmodifiableMap(new TreeMap<>(byDomain));
        byDriveClass = Collections.unmodifiableMap(new TreeMap<>(byDriveClass));
    }
}
