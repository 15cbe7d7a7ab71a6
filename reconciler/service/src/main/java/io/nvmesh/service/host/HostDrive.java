package io.nvmesh.service.host;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;

import java.util.Map;
import java.util.Objects;

/**
 * A drive as this host sees it: what the protocol reports ({@link #drive()}) and where it is in the kernel.
 *
 * @param drive      serial, capacity, health and labels as reported
 * @param block      the block device's name ({@code nvme0n1}, {@code sdb})
 * @param controller the NVMe controller ({@code nvme0}), empty for another block device
 * @param devNumber  the block device's {@code major:minor}, as device-mapper tables name it
 * @param why        why the health is not ok (controller state, SMART), empty when ok
 */
record HostDrive(Drive drive, String block, String controller, String devNumber, String why) {

    public HostDrive {
        Objects.requireNonNull(drive, "drive");
        Objects.requireNonNull(block, "block");
        controller = controller == null ? "" : controller;
        Objects.requireNonNull(devNumber, "devNumber");
        why = why == null ? "" : why;
    }

    public String serial() {
        return drive.serial();
    }

    HostDrive withHealth(DriveHealth health, String reason) {
        return new HostDrive(new Drive(drive.serial(), drive.capacity(), health, drive.labels()), block, controller,
                devNumber, reason);
    }

    static Map<String, String> labels(String model, String firmware, String numa, String transport) {
        java.util.TreeMap<String, String> out = new java.util.TreeMap<>();
        put(out, "model", model);
        put(out, "firmware", firmware);
        put(out, "numa", numa);
        put(out, "transport", transport);
        return out;
    }

    private static void put(Map<String, String> labels, String key, String raw) {
        String v = labelValue(raw);
        if (!v.isEmpty()) {
            labels.put(key, v);
        }
    }

    /** A label value from what the hardware says: {@code SAMSUNG MZQL23T8HCLS} → {@code SAMSUNG-MZQL23T8HCLS}. */
    static String labelValue(String raw) {
        if (raw == null) {
            return "";
        }
        String v = raw.strip().replaceAll("[^A-Za-z0-9_.-]+", "-").replaceAll("-{2,}", "-");
        v = v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
        if (v.length() > 63) {
            v = v.substring(0, 63).replaceAll("[^A-Za-z0-9]+$", "");
        }
        return v;
    }

    /** A serial the protocol accepts: 1-128 of {@code A-Z a-z 0-9 . _ -}, starting with a letter or digit. */
    static String serialValue(String raw) {
        String v = raw == null ? "" : raw.strip().replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[^A-Za-z0-9]+", "");
        return v.length() > 128 ? v.substring(0, 128) : v;
    }
}
