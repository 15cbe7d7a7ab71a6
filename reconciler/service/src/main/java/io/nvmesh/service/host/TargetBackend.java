package io.nvmesh.service.host;

import io.nvmesh.service.agent.SegmentLayout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Plans what a target must change to serve exactly the segments of a layout: per segment a device-mapper linear
 * device over its bytes, per volume an nvmet subsystem ({@link Names#subsystem}) with one namespace per segment,
 * reachable on one port by the allowed hosts. The plan is computed from what the host has now (the configfs tree and
 * {@code dmsetup table}), so applying the same layout twice plans nothing the second time. Segments, namespaces and
 * subsystems the layout no longer names are torn down, and only then: a layout is an order from the node's owner.
 */
final class TargetBackend {

    /**
     * Where the target listens and who may connect.
     *
     * @param portId       the configfs port's name (a number)
     * @param trtype       {@code tcp} or {@code rdma}
     * @param adrfam       {@code ipv4} or {@code ipv6}
     * @param traddr       the address to listen on
     * @param trsvcid      the port number ({@code 4420} by convention)
     * @param allowedHosts the host NQNs of the clients; every subsystem allows them
     */
    record Port(String portId, String trtype, String adrfam, String traddr, String trsvcid,
                List<String> allowedHosts) {
        Port {
            allowedHosts = List.copyOf(allowedHosts);
        }

        String describe() {
            return trtype + " " + (adrfam.equals("ipv6") ? "[" + traddr + "]" : traddr) + ":" + trsvcid;
        }
    }

    private final String nodeId;
    private final Configfs configfs;
    private final CommandRunner runner;
    private final Path dev;
    private final Port port;

    TargetBackend(String nodeId, Configfs configfs, CommandRunner runner, Path dev, Port port) {
        this.nodeId = nodeId;
        this.configfs = configfs;
        this.runner = runner;
        this.dev = dev;
        this.port = port;
    }

    /**
     * The ops that make the host serve {@code layout}, given its drives.
     *
     * @throws IllegalArgumentException when the layout cannot be served (a drive not here, a bad name, a port
     *                                  configured otherwise); nothing is changed then
     */
    List<HostOp> plan(List<SegmentLayout> layout, List<HostDrive> drives) {
        Map<String, HostDrive> bySerial = new TreeMap<>();
        drives.forEach(d -> bySerial.put(d.serial(), d));
        Map<String, List<SegmentLayout>> byVolume = new TreeMap<>();
        for (SegmentLayout s : layout) {
            Names.checkVolume(s.volume());
            HostDrive d = bySerial.get(s.serial());
            if (d == null) {
                throw new IllegalArgumentException("drive " + s.serial() + " is not on " + nodeId);
            }
            if (s.offset() % 512 != 0 || s.length() % 512 != 0 || s.offset() + s.length() > d.drive().capacity()) {
                throw new IllegalArgumentException("segment " + s.volume() + "#" + s.segment() + " is not within "
                        + "drive " + s.serial() + " in whole sectors");
            }
            byVolume.computeIfAbsent(s.volume(), k -> new ArrayList<>()).add(s);
        }
        byVolume.values().forEach(l -> l.sort(Comparator.comparingInt(SegmentLayout::segment)));

        List<HostOp> ops = new ArrayList<>();
        teardown(byVolume, ops);
        Path portDir = configfs.port(port.portId());
        if (!configfs.exists(portDir)) {
            ops.add(new HostOp.Mkdir(portDir));
            ops.add(new HostOp.Write(portDir.resolve("addr_trtype"), port.trtype()));
            ops.add(new HostOp.Write(portDir.resolve("addr_adrfam"), port.adrfam()));
            ops.add(new HostOp.Write(portDir.resolve("addr_traddr"), port.traddr()));
            ops.add(new HostOp.Write(portDir.resolve("addr_trsvcid"), port.trsvcid()));
        } else {
            checkPort(portDir);
        }
        for (String h : port.allowedHosts()) {
            if (!configfs.exists(configfs.host(h))) {
                ops.add(new HostOp.Mkdir(configfs.host(h)));
            }
        }
        for (var e : byVolume.entrySet()) {
            serve(e.getKey(), e.getValue(), bySerial, portDir, ops);
        }
        return ops;
    }

    /** What the ack says once a layout is applied. */
    String served(List<SegmentLayout> layout) {
        long volumes = layout.stream().map(SegmentLayout::volume).distinct().count();
        return "serving " + layout.size() + " segment" + (layout.size() == 1 ? "" : "s") + " of " + volumes
                + " volume" + (volumes == 1 ? "" : "s") + " on " + port.describe();
    }

    private void serve(String volume, List<SegmentLayout> segments, Map<String, HostDrive> bySerial, Path portDir,
                       List<HostOp> ops) {
        String nqn = Names.subsystem(Names.volumeNqn(volume), nodeId);
        for (SegmentLayout s : segments) {
            String name = Names.segmentDevice(volume, s.segment());
            String table = "0 " + s.length() / 512 + " linear " + bySerial.get(s.serial()).devNumber() + " "
                    + s.offset() / 512;
            Optional<String> now = dmTable(name);
            if (now.isEmpty()) {
                ops.add(HostOp.Run.of(false, "dmsetup", "create", name, "--table", table));
            } else if (!now.get().equals(table)) {
                // The segment moved between drives of this host: swap the table under the namespace.
                ops.add(HostOp.Run.of(true, "dmsetup", "load", name, "--table", table));
                ops.add(HostOp.Run.of(true, "dmsetup", "resume", name));
            }
        }
        Path sub = configfs.subsystem(nqn);
        if (!configfs.exists(sub)) {
            ops.add(new HostOp.Mkdir(sub));
            ops.add(new HostOp.Write(sub.resolve("attr_allow_any_host"), "0"));
        } else if (!configfs.read(sub.resolve("attr_allow_any_host")).orElse("").equals("0")) {
            ops.add(new HostOp.Write(sub.resolve("attr_allow_any_host"), "0"));
        }
        for (String h : port.allowedHosts()) {
            Path link = sub.resolve("allowed_hosts").resolve(h);
            if (!configfs.exists(link)) {
                ops.add(new HostOp.Link(link, configfs.host(h)));
            }
        }
        for (SegmentLayout s : segments) {
            Path ns = sub.resolve("namespaces").resolve(Integer.toString(Names.nsid(s.segment())));
            String device = dev.resolve("mapper").resolve(Names.segmentDevice(volume, s.segment())).toString();
            String uuid = Names.namespaceUuid(nqn, s.segment()).toString();
            if (!configfs.exists(ns)) {
                ops.add(new HostOp.Mkdir(ns));
                ops.add(new HostOp.Write(ns.resolve("device_path"), device));
                ops.add(new HostOp.Write(ns.resolve("device_uuid"), uuid));
                ops.add(new HostOp.Write(ns.resolve("enable"), "1"));
                continue;
            }
            boolean enabled = configfs.read(ns.resolve("enable")).orElse("0").equals("1");
            boolean same = configfs.read(ns.resolve("device_path")).orElse("").equals(device)
                    && configfs.read(ns.resolve("device_uuid")).orElse("").equals(uuid);
            if (!same) {
                if (enabled) {
                    ops.add(new HostOp.Write(ns.resolve("enable"), "0", true));
                }
                ops.add(new HostOp.Write(ns.resolve("device_path"), device));
                ops.add(new HostOp.Write(ns.resolve("device_uuid"), uuid));
            }
            if (!same || !enabled) {
                ops.add(new HostOp.Write(ns.resolve("enable"), "1"));
            }
        }
        Path link = portDir.resolve("subsystems").resolve(nqn);
        if (!configfs.exists(link)) {
            ops.add(new HostOp.Link(link, sub));
        }
    }

    /** Namespaces, subsystems and segment devices of ours that the layout does not name, in a safe order. */
    private void teardown(Map<String, List<SegmentLayout>> byVolume, List<HostOp> ops) {
        Set<String> keep = new TreeSet<>();
        byVolume.forEach((v, l) -> l.forEach(s -> keep.add(Names.segmentDevice(v, s.segment()))));
        String suffix = ":" + nodeId;
        for (String nqn : configfs.list(configfs.root().resolve("subsystems"))) {
            if (!nqn.startsWith(Names.NQN_PREFIX) || !nqn.endsWith(suffix)) {
                continue; // not ours: an administrator's own subsystem is never touched
            }
            String volume = nqn.substring(Names.NQN_PREFIX.length(), nqn.length() - suffix.length());
            Set<String> wanted = new TreeSet<>();
            byVolume.getOrDefault(volume, List.of()).forEach(s -> wanted.add(Integer.toString(Names.nsid(
                    s.segment()))));
            Path sub = configfs.subsystem(nqn);
            if (wanted.isEmpty()) {
                for (String p : configfs.list(configfs.root().resolve("ports"))) {
                    Path link = configfs.port(p).resolve("subsystems").resolve(nqn);
                    if (configfs.exists(link)) {
                        ops.add(new HostOp.Remove(link, false));
                    }
                }
            }
            for (String ns : configfs.list(sub.resolve("namespaces"))) {
                if (!wanted.contains(ns)) {
                    ops.add(new HostOp.Write(sub.resolve("namespaces").resolve(ns).resolve("enable"), "0", true));
                    ops.add(new HostOp.Remove(sub.resolve("namespaces").resolve(ns), true));
                }
            }
            if (wanted.isEmpty()) {
                for (String h : configfs.list(sub.resolve("allowed_hosts"))) {
                    ops.add(new HostOp.Remove(sub.resolve("allowed_hosts").resolve(h), false));
                }
                ops.add(new HostOp.Remove(sub, true));
            }
        }
        for (String name : dmDevices()) {
            if (name.startsWith("nvmesh-") && name.contains(".s") && !keep.contains(name)) {
                ops.add(HostOp.Run.of(true, "dmsetup", "remove", name));
            }
        }
    }

    private void checkPort(Path portDir) {
        List<String> wrong = new ArrayList<>();
        check(portDir, "addr_trtype", port.trtype(), wrong);
        check(portDir, "addr_adrfam", port.adrfam(), wrong);
        check(portDir, "addr_traddr", port.traddr(), wrong);
        check(portDir, "addr_trsvcid", port.trsvcid(), wrong);
        if (!wrong.isEmpty()) {
            throw new IllegalArgumentException("nvmet port " + port.portId() + " exists with " + String.join(", ",
                    wrong) + "; the agent's configuration says " + port.describe() + " (choose another port id)");
        }
    }

    private void check(Path portDir, String attribute, String expected, List<String> wrong) {
        String now = configfs.read(portDir.resolve(attribute)).orElse("");
        if (!now.equals(expected)) {
            wrong.add(attribute + " " + (now.isEmpty() ? "unset" : now));
        }
    }

    private Optional<String> dmTable(String name) {
        CommandRunner.Result r = runner.run("dmsetup", "table", name);
        requireInstalled(r, "dmsetup");
        return r.ok() ? Optional.of(r.stdout().strip()) : Optional.empty();
    }

    private List<String> dmDevices() {
        CommandRunner.Result r = runner.run("dmsetup", "ls");
        requireInstalled(r, "dmsetup");
        if (!r.ok()) {
            throw new IllegalStateException("dmsetup ls failed: " + HostInventory.firstLine(r.stderr()));
        }
        List<String> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (!name.isEmpty() && !line.startsWith("No devices found")) {
                out.add(name);
            }
        }
        return out;
    }

    static void requireInstalled(CommandRunner.Result r, String program) {
        if (r.exitCode() == 127) {
            throw new IllegalStateException(program + " is not installed (package: "
                    + (program.equals("dmsetup") ? "lvm2 or device-mapper" : program.equals("nvme") ? "nvme-cli"
                    : program) + ")");
        }
    }
}
