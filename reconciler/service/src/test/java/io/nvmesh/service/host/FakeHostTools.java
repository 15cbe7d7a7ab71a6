package io.nvmesh.service.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * dmsetup, nvme and mdadm as this machine cannot run them (no device-mapper, NVMe or md here): every invocation is
 * recorded for the test to assert, and each tool's effect is played on the fixture host the way the kernel and udev
 * would show it: {@code dmsetup create} makes {@code /dev/mapper/NAME} and answers {@code table} and {@code ls};
 * {@code nvme connect} makes a fabrics controller in sysfs and, for every enabled namespace of the subsystem in the
 * target's configfs tree (found through {@link #fabric}), its {@code /dev/disk/by-id/nvme-uuid.*} name, once a
 * port listening at the address links the subsystem (nvmet refuses the connect before);
 * {@code mdadm --build} makes {@code /dev/md/NAME}. {@code nvme smart-log} answers what the test set per controller.
 */
final class FakeHostTools implements CommandRunner {

    static final String HEALTHY_SMART = "{\"critical_warning\":0,\"temperature\":310,\"avail_spare\":100,"
            + "\"spare_thresh\":10,\"percent_used\":3,\"media_errors\":0,\"num_err_log_entries\":12}";

    private final HostFixture host;
    /** traddr:trsvcid → the nvmet tree of the target listening there. */
    private final Map<String, Path> fabric;
    private final List<List<String>> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> tables = new TreeMap<>();
    private final Map<String, String> smart = new ConcurrentHashMap<>();
    private boolean nvmeInstalled = true;

    FakeHostTools(HostFixture host, Map<String, Path> fabric) {
        this.host = host;
        this.fabric = fabric;
    }

    List<List<String>> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /** Invocations that change something (not the queries {@code dmsetup table/ls}, {@code nvme smart-log}). */
    List<String> changes() {
        return calls().stream().filter(c -> !(c.get(0).equals("dmsetup") && (c.get(1).equals("table")
                || c.get(1).equals("ls"))) && !(c.get(0).equals("nvme") && c.get(1).equals("smart-log")))
                .map(c -> String.join(" ", c)).toList();
    }

    void smartLog(String controller, String json) {
        smart.put(controller, json);
    }

    void withoutNvmeCli() {
        nvmeInstalled = false;
    }

    @Override
    public synchronized Result run(List<String> argv, String stdin) {
        calls.add(stdin.isEmpty() ? List.copyOf(argv) : append(argv, "<<" + stdin.strip().replace("\n", "; ")));
        try {
            return switch (argv.get(0)) {
                case "dmsetup" -> dmsetup(argv, stdin);
                case "nvme" -> nvmeInstalled ? nvme(argv) : Result.failed(127, "nvme: not found");
                case "mdadm" -> mdadm(argv);
                default -> Result.failed(127, argv.get(0) + ": not found");
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Result dmsetup(List<String> a, String stdin) throws IOException {
        String verb = a.get(1);
        switch (verb) {
            case "ls" -> {
                if (tables.isEmpty()) {
                    return Result.ok("No devices found\n");
                }
                StringBuilder out = new StringBuilder();
                int minor = 0;
                for (String name : tables.keySet()) {
                    out.append(name).append("\t(253:").append(minor++).append(")\n");
                }
                return Result.ok(out.toString());
            }
            case "table" -> {
                String t = tables.get(a.get(2));
                return t == null ? Result.failed(1, "Device does not exist.\nCommand failed.") : Result.ok(t + "\n");
            }
            case "create" -> {
                String name = a.get(2);
                if (tables.containsKey(name)) {
                    return Result.failed(1, "device-mapper: create ioctl on " + name + " failed: Device or resource "
                            + "busy");
                }
                tables.put(name, a.contains("--table") ? a.get(a.indexOf("--table") + 1) : stdin.strip());
                touch(host.root.resolve("dev/mapper").resolve(name));
                return Result.ok("");
            }
            case "load" -> {
                tables.put(a.get(2), a.get(a.indexOf("--table") + 1));
                return Result.ok("");
            }
            case "resume" -> {
                return Result.ok("");
            }
            case "remove" -> {
                if (tables.remove(a.get(2)) == null) {
                    return Result.failed(1, "Device " + a.get(2) + " not found");
                }
                Files.deleteIfExists(host.root.resolve("dev/mapper").resolve(a.get(2)));
                return Result.ok("");
            }
            default -> {
                return Result.failed(1, "unknown dmsetup command");
            }
        }
    }

    private Result nvme(List<String> a) throws IOException {
        switch (a.get(1)) {
            case "smart-log" -> {
                String ctrl = Path.of(a.get(2)).getFileName().toString();
                return Result.ok(smart.getOrDefault(ctrl, HEALTHY_SMART));
            }
            case "connect" -> {
                String traddr = a.get(a.indexOf("-a") + 1);
                String trsvcid = a.get(a.indexOf("-s") + 1);
                String nqn = a.get(a.indexOf("-n") + 1);
                Path nvmet = fabric.get(traddr + ":" + trsvcid);
                if (nvmet == null) {
                    return Result.failed(1, "Failed to write to /dev/nvme-fabrics: Connection refused");
                }
                Path sub = nvmet.resolve("subsystems").resolve(nqn);
                String hostNqn = a.get(a.indexOf("-q") + 1);
                if (!Files.isDirectory(sub) || !Files.exists(sub.resolve("allowed_hosts").resolve(hostNqn))
                        || !exported(nvmet, traddr, trsvcid, nqn)) {
                    return Result.failed(1, "Failed to write to /dev/nvme-fabrics: Input/output error");
                }
                int n = 10;
                while (Files.exists(host.sys().resolve("class/nvme/nvme" + n))) {
                    n++;
                }
                host.tcp("nvme" + n, nqn, "traddr=" + traddr + ",trsvcid=" + trsvcid);
                try (var s = Files.list(sub.resolve("namespaces"))) {
                    for (Path ns : s.toList()) {
                        if (Files.readString(ns.resolve("enable")).strip().equals("1")) {
                            String uuid = Files.readString(ns.resolve("device_uuid")).strip();
                            touch(host.root.resolve("dev/disk/by-id/nvme-uuid." + uuid));
                        }
                    }
                }
                return Result.ok("connecting to device: nvme" + n + "\n");
            }
            case "disconnect" -> {
                HostFixture.delete(host.sys().resolve("class/nvme").resolve(a.get(a.indexOf("-d") + 1)));
                return Result.ok("NQN:... disconnected 1 controller(s)\n");
            }
            default -> {
                return Result.failed(1, "unknown nvme command");
            }
        }
    }

    private Result mdadm(List<String> a) throws IOException {
        if (a.get(1).equals("--build")) {
            touch(Path.of(a.get(2)));
            return Result.ok("");
        }
        if (a.get(1).equals("--stop")) {
            Files.deleteIfExists(Path.of(a.get(2)));
            return Result.ok("mdadm: stopped " + a.get(2) + "\n");
        }
        return Result.ok(""); // --fail/--remove/--add on an existing array
    }

    /**
     * Whether a port of the target listens at {@code traddr:trsvcid} and has the subsystem linked, as nvmet requires
     * before it accepts a connect. A target links the subsystem last, once its namespaces are enabled: a connect that
     * came earlier would see none of them.
     */
    private static boolean exported(Path nvmet, String traddr, String trsvcid, String nqn) throws IOException {
        Path ports = nvmet.resolve("ports");
        if (!Files.isDirectory(ports)) {
            return false;
        }
        try (var s = Files.list(ports)) {
            for (Path port : s.toList()) {
                if (SysfsInventory.attr(port.resolve("addr_traddr")).equals(traddr)
                        && SysfsInventory.attr(port.resolve("addr_trsvcid")).equals(trsvcid)
                        && Files.exists(port.resolve("subsystems").resolve(nqn), LinkOption.NOFOLLOW_LINKS)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void touch(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        if (!Files.exists(p)) {
            Files.createFile(p);
        }
    }

    private static List<String> append(List<String> argv, String extra) {
        List<String> out = new ArrayList<>(argv);
        out.add(extra);
        return out;
    }
}
