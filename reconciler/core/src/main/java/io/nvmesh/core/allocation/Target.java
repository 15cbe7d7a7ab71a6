package io.nvmesh.core.allocation;

import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A storage server: its labels (rack, zone ...), its health and its drives, kept sorted by serial. {@code managed}
 * says a node agent reported it (its owner must see the agent ack a layout before its segments count as served);
 * a target recorded from an inventory file has no agent, so whatever is placed on it counts as served at once.
 */
public record Target(String id, Map<String, String> labels, TargetHealth health, List<Drive> drives,
        boolean managed) {

    public Target {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(health, "health");
        labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
        drives = drives == null ? List.of()
                : drives.stream().sorted(Comparator.comparing(Drive::serial)).toList();
    }

    /** An unmanaged target (no agent): from an inventory file or a test. */
    public Target(String id, Map<String, String> labels, TargetHealth health, List<Drive> drives) {
        this(id, labels, health, drives, false);
    }

    public static Target of(String id, Map<String, String> labels, List<Drive> drives) {
        return new Target(id, labels, TargetHealth.HEALTHY, drives);
    }

    public Target withDrives(List<Drive> newDrives) {
        return new Target(id, labels, health, newDrives, managed);
    }

    public Target withHealth(TargetHealth h) {
        return new Target(id, labels, h, drives, managed);
    }

    /** The same target, marked as reported by a node agent. */
    public Target asManaged() {
        return managed ? this : new Target(id, labels, health, drives, true);
    }

    /**
     * The failure-domain value of {@code key} for a drive of this target: the drive's own label, else the
     * target's. The key {@code target} always names the target itself.
     */
    public String domainOf(Drive drive, String key) {
        if ("target".equals(key)) {
            return id;
        }
        String v = drive.labels().get(key);
        return v != null ? v : labels.get(key);
    }
}
