package io.nvmesh.core.allocation;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One NVMe drive as its agent reports it. The serial is its identity wherever it sits; labels (model, class, and
 * failure-domain keys such as {@code enclosure}) override the target's labels of the same key.
 */
public record Drive(String serial, long capacity, DriveHealth health, Map<String, String> labels) {

    public Drive {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(health, "health");
        if (serial.isBlank()) {
            throw new IllegalArgumentException("a drive needs a serial");
        }
        if (capacity < 0) {
            throw new IllegalArgumentException("drive " + serial + ": negative capacity " + capacity);
        }
        labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
    }

    public static Drive of(String serial, long capacity) {
        return new Drive(serial, capacity, DriveHealth.OK, Map.of());
    }

    public Drive withHealth(DriveHealth h) {
        return new Drive(serial, capacity, h, labels);
    }

    /** Bytes that extents may use: capacity rounded down to whole MiB, since extents are 1 MiB aligned. */
    public long usableCapacity() {
        return capacity - capacity % Extent.ALIGNMENT;
    }
}
