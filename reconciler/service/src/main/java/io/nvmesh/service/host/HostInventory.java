package io.nvmesh.service.host;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host's drives as last read: sysfs for what is there, then {@code nvme smart-log} per controller for how it is,
 * when nvme-cli is installed. {@link #refresh()} reads again and says whether anything the reconciler cares about
 * changed (a drive added, removed, resized, or its health), so the agent reports at once rather than at its next
 * interval. A drive moved to another host keeps its serial: it leaves this report and appears in the other's.
 */
final class HostInventory {

    private static final System.Logger LOG = System.getLogger(HostInventory.class.getName());

    private final SysfsInventory sysfs;
    private final CommandRunner runner;
    private final Path dev;
    private final boolean smart;
    // Guarded by this.
    private List<HostDrive> drives = List.of();
    private boolean nvmeCli = true;

    HostInventory(SysfsInventory sysfs, CommandRunner runner, Path dev, boolean smart) {
        this.sysfs = sysfs;
        this.runner = runner;
        this.dev = dev;
        this.smart = smart;
    }

    synchronized List<HostDrive> current() {
        return drives;
    }

    synchronized List<Drive> reported() {
        return drives.stream().map(HostDrive::drive).toList();
    }

    synchronized Optional<HostDrive> bySerial(String serial) {
        return drives.stream().filter(d -> d.serial().equals(serial)).findFirst();
    }

    List<SysfsInventory.FabricsController> fabrics() {
        return sysfs.fabrics();
    }

    /** Reads the host again; true when the report changed. */
    synchronized boolean refresh() {
        List<HostDrive> read = sysfs.read();
        List<HostDrive> next = new ArrayList<>();
        Map<String, SmartLog> logs = new HashMap<>();
        for (HostDrive d : read) {
            if (d.drive().health() != DriveHealth.OK || d.controller().isEmpty() || !smart) {
                next.add(d);
                continue;
            }
            SmartLog log = logs.computeIfAbsent(d.controller(), this::smartLog);
            next.add(log == null || log.health() == DriveHealth.OK ? d : d.withHealth(log.health(), log.why()));
        }
        boolean changed = !reportOf(next).equals(reportOf(drives));
        if (changed) {
            log(drives, next);
        }
        drives = List.copyOf(next);
        return changed;
    }

    /** Null when there is no smart log to read (no nvme-cli, or the controller did not answer). */
    private SmartLog smartLog(String controller) {
        if (!nvmeCli) {
            return null;
        }
        CommandRunner.Result r = runner.run("nvme", "smart-log", dev.resolve(controller).toString(), "-o", "json");
        if (r.exitCode() == 127) {
            nvmeCli = false;
            LOG.log(System.Logger.Level.INFO, "nvme-cli is not installed: drive health from controller state only");
            return null;
        }
        if (!r.ok()) {
            LOG.log(System.Logger.Level.WARNING, () -> "nvme smart-log " + controller + " failed: "
                    + firstLine(r.stderr()));
            return null;
        }
        try {
            return SmartLog.parse(r.stdout());
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, () -> "nvme smart-log " + controller + ": " + e.getMessage());
            return null;
        }
    }

    private static List<Drive> reportOf(List<HostDrive> drives) {
        return drives.stream().map(HostDrive::drive).toList();
    }

    private static void log(List<HostDrive> before, List<HostDrive> after) {
        Map<String, HostDrive> old = new HashMap<>();
        before.forEach(d -> old.put(d.serial(), d));
        for (HostDrive d : after) {
            HostDrive was = old.remove(d.serial());
            if (was == null) {
                LOG.log(System.Logger.Level.INFO, () -> "drive " + d.serial() + " (" + d.block() + ") added");
            } else if (was.drive().health() != d.drive().health()) {
                LOG.log(System.Logger.Level.WARNING, () -> "drive " + d.serial() + " is " + d.drive().health()
                        .name().toLowerCase(java.util.Locale.ROOT) + (d.why().isEmpty() ? "" : ": " + d.why()));
            }
        }
        old.values().forEach(d -> LOG.log(System.Logger.Level.WARNING, () -> "drive " + d.serial() + " ("
                + d.block() + ") is gone"));
    }

    static String firstLine(String text) {
        String t = text.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
