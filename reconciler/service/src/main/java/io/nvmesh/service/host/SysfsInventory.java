package io.nvmesh.service.host;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a host's drives from sysfs: NVMe controllers under {@code class/nvme} and their namespaces' block devices
 * under {@code block}, plus any block device named in the allow-list. Only local controllers ({@code pcie}) are
 * drives: a fabrics controller ({@code tcp}, {@code rdma}, {@code fc}, {@code loop}) is a namespace some target
 * exports, perhaps one of ours, and offering it again would stack volumes on volumes.
 *
 * <p>A controller's first namespace is reported under the controller's serial; another namespace {@code n} under
 * {@code <serial>-n<n>}, so that adding a namespace renames nothing.
 */
final class SysfsInventory {

    /** Namespace entries of a controller: {@code nvme0n1}, or {@code nvme0c0n1} (a path of a multipath head). */
    private static final Pattern NAMESPACE = Pattern.compile("nvme(\\d+)(?:c\\d+)?n(\\d+)");
    private static final Pattern CONTROLLER = Pattern.compile("nvme\\d+");
    private static final Set<String> FAILED_STATES = Set.of("dead", "deleting", "deleting (no IO)");

    private final Path sys;
    private final List<String> allowBlock;

    SysfsInventory(Path sys, List<String> allowBlock) {
        this.sys = sys;
        this.allowBlock = List.copyOf(allowBlock);
    }

    /** Every drive now, by block device name order. */
    List<HostDrive> read() {
        TreeMap<String, HostDrive> out = new TreeMap<>();
        for (String ctrl : list(sys.resolve("class/nvme"))) {
            if (!CONTROLLER.matcher(ctrl).matches()) {
                continue;
            }
            Path c = sys.resolve("class/nvme").resolve(ctrl);
            String transport = attr(c.resolve("transport"));
            if (!"pcie".equals(transport)) {
                continue;
            }
            String serial = HostDrive.serialValue(attr(c.resolve("serial")));
            if (serial.isEmpty()) {
                continue;
            }
            String state = attr(c.resolve("state"));
            String numa = attr(c.resolve("numa_node"));
            if (numa.isEmpty()) {
                numa = attr(c.resolve("device/numa_node"));
            }
            if (numa.startsWith("-")) {
                numa = ""; // -1: the platform has no NUMA
            }
            var labels = HostDrive.labels(attr(c.resolve("model")), attr(c.resolve("firmware_rev")), numa,
                    transport);
            for (String entry : list(c)) {
                Matcher m = NAMESPACE.matcher(entry);
                if (!m.matches()) {
                    continue;
                }
                String block = "nvme" + m.group(1) + "n" + m.group(2);
                Path b = sys.resolve("block").resolve(block);
                if (!Files.isDirectory(b)) {
                    continue;
                }
                String nsidText = attr(b.resolve("nsid"));
                int nsid = nsidText.matches("\\d{1,9}") ? Integer.parseInt(nsidText) : Integer.parseInt(m.group(2));
                String id = nsid == 1 ? serial : serial + "-n" + nsid;
                long capacity = sectors(b) * 512;
                DriveHealth health = FAILED_STATES.contains(state) ? DriveHealth.FAILED : DriveHealth.OK;
                String why = health == DriveHealth.FAILED ? "controller " + ctrl + " is " + state : "";
                out.putIfAbsent(block, new HostDrive(new Drive(id, capacity, health, labels), block, ctrl,
                        attr(b.resolve("dev")), why));
            }
        }
        for (String block : allowBlock) {
            Path b = sys.resolve("block").resolve(block);
            if (!Files.isDirectory(b) || out.containsKey(block)) {
                continue;
            }
            String wwid = attr(b.resolve("device/wwid"));
            String serial = HostDrive.serialValue(wwid.isEmpty() ? attr(b.resolve("device/serial")) : wwid);
            if (serial.isEmpty()) {
                serial = HostDrive.serialValue(block);
            }
            var labels = HostDrive.labels(attr(b.resolve("device/model")), attr(b.resolve("device/rev")), "",
                    "block");
            String state = attr(b.resolve("device/state"));
            DriveHealth health = "offline".equals(state) ? DriveHealth.FAILED : DriveHealth.OK;
            out.put(block, new HostDrive(new Drive(serial, sectors(b) * 512, health, labels), block, "",
                    attr(b.resolve("dev")), health == DriveHealth.FAILED ? block + " is offline" : ""));
        }
        return out.values().stream().sorted(Comparator.comparing(HostDrive::block)).toList();
    }

    /** The controllers of NVMe fabrics connections: name → {@code subsysnqn}, {@code address}, {@code state}. */
    List<FabricsController> fabrics() {
        List<FabricsController> out = new ArrayList<>();
        for (String ctrl : list(sys.resolve("class/nvme"))) {
            Path c = sys.resolve("class/nvme").resolve(ctrl);
            String transport = attr(c.resolve("transport"));
            if (!CONTROLLER.matcher(ctrl).matches() || transport.isEmpty() || "pcie".equals(transport)) {
                continue;
            }
            out.add(new FabricsController(ctrl, transport, attr(c.resolve("subsysnqn")), attr(c.resolve("address")),
                    attr(c.resolve("state"))));
        }
        return out;
    }

    /** A fabrics controller: {@code address} as the kernel writes it, {@code traddr=...,trsvcid=...}. */
    record FabricsController(String name, String transport, String nqn, String address, String state) {
        boolean reaches(String traddr, String trsvcid) {
            List<String> parts = List.of(address.split(","));
            return parts.contains("traddr=" + traddr) && parts.contains("trsvcid=" + trsvcid);
        }
    }

    private static long sectors(Path block) {
        String size = attr(block.resolve("size"));
        try {
            return size.isEmpty() ? 0 : Long.parseLong(size);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of(); // a device going away while listed
        }
    }

    /** A sysfs attribute, stripped; empty when absent or unreadable (a device going away while read). */
    static String attr(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
