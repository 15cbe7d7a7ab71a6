package io.nvmesh.service.host;

import io.nvmesh.schema.Layout;
import io.nvmesh.service.agent.Attachment;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Plans what a client must change to have exactly the volumes of its attachments: a fabrics connection to each
 * target's subsystem of the volume ({@code nvme connect}), the volume assembled from the segments' namespaces, and
 * {@code /dev/nvmesh/<volume>} pointing at it. Assembly follows the volume's geometry: a group of copies is an md
 * RAID 1, a chunk of several groups an md RAID 0 over them (so raid10 is RAID 0 over RAID 1 pairs), several chunks a
 * device-mapper concatenation. The arrays are built without superblocks ({@code mdadm --build}): the reconciler's
 * recorded layout is their metadata, the whole segment holds data, and every start assembles them the same way.
 * Erasure coding has no md equivalent and is refused with its reason.
 */
final class ClientBackend {

    /** md's default chunk; fixed, since arrays without superblocks must be built with the same chunk every time. */
    static final int CHUNK_KIB = 512;

    /** How to reach a target's NVMe-oF port. */
    record Address(String trtype, String traddr, String trsvcid) {
    }

    /**
     * A plan, the attachments it could not serve and why, the md arrays it leaves and their members, and the arrays it
     * stops.
     */
    record Plan(List<HostOp> ops, Map<String, String> refused, Map<String, List<String>> arrays,
                Set<String> stopped) {
        Plan {
            ops = List.copyOf(ops);
            refused = Map.copyOf(refused);
            arrays = Map.copyOf(arrays);
            stopped = Set.copyOf(stopped);
        }
    }

    private final Path dev;
    private final Path hostNqnFile;
    private final Map<String, Address> addresses;
    private final int defaultPort;
    private final SysfsInventory sysfs;
    /** Members of the md groups this agent built: which device is at which index (a rebuild swaps one). */
    private final Map<String, List<String>> built = new TreeMap<>();

    ClientBackend(Path dev, Path hostNqnFile, Map<String, Address> addresses, int defaultPort, SysfsInventory sysfs) {
        this.dev = dev;
        this.hostNqnFile = hostNqnFile;
        this.addresses = Map.copyOf(addresses);
        this.defaultPort = defaultPort;
        this.sysfs = sysfs;
    }

    /** The host's NQN, as {@code nvme connect} presents it and targets allow it. */
    String hostNqn() {
        String nqn = SysfsInventory.attr(hostNqnFile);
        if (nqn.isEmpty()) {
            throw new IllegalStateException(hostNqnFile + " is missing or empty (nvme gen-hostnqn > " + hostNqnFile
                    + ")");
        }
        Names.checkNqn(nqn);
        return nqn;
    }

    Address address(String target) {
        Address a = addresses.get(target);
        return a != null ? a : new Address("tcp", target, Integer.toString(defaultPort));
    }

    Plan plan(List<Attachment> attachments) {
        String hostNqn = hostNqn();
        List<HostOp> ops = new ArrayList<>();
        Map<String, String> refused = new TreeMap<>();
        Set<String> wanted = new TreeSet<>();
        List<Attachment> sorted = new ArrayList<>(attachments);
        sorted.sort(Comparator.comparing(Attachment::volume));
        for (Attachment a : sorted) {
            Names.checkVolume(a.volume());
            Names.checkNqn(a.nqn());
            wanted.add(a.volume());
        }
        List<SysfsInventory.FabricsController> connected = sysfs.fabrics();
        Map<String, List<String>> arrays = new TreeMap<>();
        Set<String> stopped = new TreeSet<>();
        detach(wanted, ops, stopped);
        for (Attachment a : sorted) {
            String why = unsupported(a);
            if (!why.isEmpty()) {
                refused.put(a.volume(), why);
                continue;
            }
            attach(a, hostNqn, connected, ops, arrays);
        }
        // last: a rebuilt segment's old member has left its array by now
        disconnectUnused(sorted, connected, ops);
        return new Plan(ops, refused, arrays, stopped);
    }

    /** Records the md members a plan built or swapped once it was applied, so the next plan sees a change. */
    void applied(Plan plan) {
        built.putAll(plan.arrays());
        built.keySet().removeAll(plan.stopped());
    }

    private static String unsupported(Attachment a) {
        if (a.layout().isEmpty() || a.members().isEmpty()) {
            return "volume " + a.volume() + ": the instance sent no layout to assemble it from (upgrade the "
                    + "reconcilers)";
        }
        Layout layout = Layout.fromYaml(a.layout()).orElse(null);
        if (layout == null) {
            return "volume " + a.volume() + ": a layout this agent does not know";
        }
        if (layout.erasureCoded()) {
            return "volume " + a.volume() + ": " + layout.yamlName() + " is not supported by the Linux host backend "
                    + "(md has no k+m erasure coding); use raid1 or raid10";
        }
        return "";
    }

    private void attach(Attachment a, String hostNqn, List<SysfsInventory.FabricsController> connected,
                        List<HostOp> ops, Map<String, List<String>> arrays) {
        Set<String> targets = new TreeSet<>();
        a.members().forEach(m -> {
            if (!m.target().isEmpty()) {
                targets.add(m.target());
            }
        });
        for (String t : targets) {
            String nqn = Names.subsystem(a.nqn(), t);
            Address addr = address(t);
            boolean up = connected.stream().anyMatch(c -> c.nqn().equals(nqn) && c.reaches(addr.traddr(),
                    addr.trsvcid()));
            if (!up) {
                ops.add(HostOp.Run.of(false, "nvme", "connect", "-t", addr.trtype(), "-a", addr.traddr(), "-s",
                        addr.trsvcid(), "-n", nqn, "-q", hostNqn));
            }
        }
        // chunk → group → members in index order
        TreeMap<Integer, TreeMap<Integer, TreeMap<Integer, Attachment.Member>>> geometry = new TreeMap<>();
        for (Attachment.Member m : a.members()) {
            geometry.computeIfAbsent(m.chunk(), k -> new TreeMap<>()).computeIfAbsent(m.group(), k -> new TreeMap<>())
                    .put(m.index(), m);
        }
        for (Attachment.Member m : a.members()) {
            if (!m.target().isEmpty()) {
                Path p = memberPath(a.nqn(), m);
                if (!exists(p)) {
                    ops.add(new HostOp.AwaitDevice(p));
                }
            }
        }
        List<String> chunkDevices = new ArrayList<>();
        List<Long> chunkSectors = new ArrayList<>();
        for (var chunk : geometry.entrySet()) {
            List<String> groupDevices = new ArrayList<>();
            long segmentLength = 0;
            for (var group : chunk.getValue().entrySet()) {
                List<String> members = new ArrayList<>();
                for (Attachment.Member m : group.getValue().values()) {
                    members.add(m.target().isEmpty() ? "missing" : memberPath(a.nqn(), m).toString());
                    segmentLength = m.length();
                }
                if (members.size() == 1) {
                    if (members.get(0).equals("missing")) {
                        throw new IllegalArgumentException("volume " + a.volume() + ": chunk " + chunk.getKey()
                                + " group " + group.getKey() + " has no served segment");
                    }
                    groupDevices.add(members.get(0));
                } else {
                    groupDevices.add(array(Names.mdDevice(a.volume(), chunk.getKey(), group.getKey()), 1, members,
                            ops, arrays));
                }
            }
            chunkSectors.add(segmentLength * groupDevices.size() / 512);
            chunkDevices.add(groupDevices.size() == 1 ? groupDevices.get(0)
                    : array(Names.mdDevice(a.volume(), chunk.getKey(), -1), 0, groupDevices, ops,
                    arrays));
        }
        String volumeDevice;
        if (chunkDevices.size() == 1) {
            volumeDevice = chunkDevices.get(0);
        } else {
            String name = Names.volumeDevice(a.volume());
            volumeDevice = dev.resolve("mapper").resolve(name).toString();
            if (!exists(Path.of(volumeDevice))) {
                StringBuilder table = new StringBuilder();
                long start = 0;
                for (int i = 0; i < chunkDevices.size(); i++) {
                    table.append(start).append(' ').append(chunkSectors.get(i)).append(" linear ")
                            .append(chunkDevices.get(i)).append(" 0\n");
                    start += chunkSectors.get(i);
                }
                ops.add(new HostOp.Run(List.of("dmsetup", "create", name), table.toString(), false));
            }
        }
        Path link = dev.resolve("nvmesh").resolve(a.volume());
        Path target = Path.of(volumeDevice);
        try {
            if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(target)) {
                return;
            }
        } catch (java.io.IOException e) {
            // unreadable: replaced below
        }
        if (exists(link)) {
            ops.add(new HostOp.Remove(link, false));
        }
        ops.add(new HostOp.Link(link, target));
    }

    /** Builds an md array, or swaps the members that changed in one this agent built. */
    private String array(String name, int level, List<String> members, List<HostOp> ops,
                         Map<String, List<String>> arrays) {
        Path path = dev.resolve("md").resolve(name);
        String array = path.toString();
        arrays.put(array, List.copyOf(members));
        if (!exists(path)) {
            List<String> argv = new ArrayList<>(List.of("mdadm", "--build", array, "--level=" + level));
            if (level == 0) {
                argv.add("--chunk=" + CHUNK_KIB);
            }
            argv.add("--raid-devices=" + members.size());
            argv.addAll(members);
            ops.add(new HostOp.Run(argv, "", false));
            return array;
        }
        List<String> before = built.get(array);
        if (before != null && before.size() == members.size()) {
            for (int i = 0; i < members.size(); i++) {
                String old = before.get(i);
                String now = members.get(i);
                if (!old.equals(now) && !now.equals("missing")) {
                    if (!old.equals("missing")) {
                        ops.add(HostOp.Run.of(true, "mdadm", array, "--fail", old, "--remove", old));
                    }
                    // md recovers the new member from the live copies
                    ops.add(HostOp.Run.of(false, "mdadm", array, "--add", now));
                }
            }
        }
        return array;
    }

    /** Volumes attached here that no attachment names any more. */
    private void detach(Set<String> wanted, List<HostOp> ops, Set<String> stopped) {
        Set<String> ours = new TreeSet<>(SysfsInventory.list(dev.resolve("nvmesh")));
        for (String name : SysfsInventory.list(dev.resolve("md"))) {
            if (name.startsWith("nvmesh-") && name.contains(".c")) {
                ours.add(name.substring("nvmesh-".length(), name.indexOf(".c")));
            }
        }
        for (String name : SysfsInventory.list(dev.resolve("mapper"))) {
            if (name.startsWith("nvmesh-") && !name.contains(".")) {
                ours.add(name.substring("nvmesh-".length()));
            }
        }
        for (String volume : ours) {
            if (wanted.contains(volume)) {
                continue;
            }
            Path link = dev.resolve("nvmesh").resolve(volume);
            if (exists(link)) {
                ops.add(new HostOp.Remove(link, false));
            }
            Path concat = dev.resolve("mapper").resolve(Names.volumeDevice(volume));
            if (exists(concat)) {
                ops.add(HostOp.Run.of(true, "dmsetup", "remove", Names.volumeDevice(volume)));
            }
            // stripes over groups first, then the groups
            List<String> arrays = new ArrayList<>(SysfsInventory.list(dev.resolve("md")).stream()
                    .filter(n -> n.startsWith(Names.volumeDevice(volume) + ".c")).toList());
            arrays.sort(Comparator.comparing((String n) -> n.contains("g")).thenComparing(n -> n));
            for (String n : arrays) {
                ops.add(HostOp.Run.of(true, "mdadm", "--stop", dev.resolve("md").resolve(n).toString()));
                stopped.add(dev.resolve("md").resolve(n).toString());
            }
        }
    }

    /** Connections to our subsystems that no member of an attachment names (a detached volume, a moved segment). */
    private void disconnectUnused(List<Attachment> attachments, List<SysfsInventory.FabricsController> connected,
                                  List<HostOp> ops) {
        Set<String> keep = new TreeSet<>();
        for (Attachment a : attachments) {
            a.members().forEach(m -> {
                if (!m.target().isEmpty()) {
                    Address addr = address(m.target());
                    keep.add(Names.subsystem(a.nqn(), m.target()) + " " + addr.traddr() + ":" + addr.trsvcid());
                }
            });
        }
        for (SysfsInventory.FabricsController c : connected) {
            if (!c.nqn().startsWith(Names.NQN_PREFIX)) {
                continue; // not ours
            }
            boolean kept = keep.stream().anyMatch(k -> {
                String[] parts = k.split(" ");
                int colon = parts[1].lastIndexOf(':');
                return parts[0].equals(c.nqn()) && c.reaches(parts[1].substring(0, colon),
                        parts[1].substring(colon + 1));
            });
            if (!kept) {
                ops.add(HostOp.Run.of(true, "nvme", "disconnect", "-d", c.name()));
            }
        }
    }

    private Path memberPath(String volumeNqn, Attachment.Member m) {
        String nqn = Names.subsystem(volumeNqn, m.target());
        return dev.resolve("disk/by-id").resolve("nvme-uuid." + Names.namespaceUuid(nqn, m.segment()));
    }

    private static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
