package io.nvmesh.service.host;

import io.nvmesh.schema.Problem;
import io.nvmesh.schema.validation.CheckedFile;
import io.nvmesh.schema.validation.CheckedFile.Field;
import io.nvmesh.schema.validation.FileFormat;
import io.nvmesh.service.agent.AgentProtocol;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A host agent's configuration file ({@code nvmesh agent --config FILE}). The format, defaults spelled out:
 *
 * <pre>{@code
 * nodeId: stor-01                 # required; the node id its credential speaks for (both roles use it)
 * role: target                    # target | client | both
 * connect: [https://10.0.0.5:7420, https://10.0.0.6:7420]   # reconciler base URLs; any of them, non-owners redirect
 * tokenFile: /etc/nvmesh/agent.token   # this node's agent credential (or env NVMESH_AGENT_TOKEN)
 * labels: {rack: a01, zone: z1}   # the node's labels (failure domains)
 * pollInterval: 5s                # how often sysfs and smart-log are read again
 * smartLog: true                  # read `nvme smart-log` when nvme-cli is installed
 * target:
 *   listen: 10.0.0.11:4420        # required for targets: address and port of the NVMe-oF port
 *   transport: tcp                # tcp | rdma
 *   portId: 1                     # the nvmet configfs port's name
 *   allowedHosts: [nqn.2014-08.org.nvmexpress:uuid:...]   # client host NQNs allowed on every subsystem
 *   blockDevices: [sdb]           # other block devices to offer as drives (allow-list; NVMe needs none)
 * client:
 *   targets: {stor-01: 10.0.0.11:4420}   # where each target listens; default <target id>:<defaultPort>
 *   defaultPort: 4420
 *   deviceWait: 10s               # how long udev may take to name a connected namespace
 * paths:                          # where the kernel's interfaces are (tests and trials point them elsewhere)
 *   sys: /sys
 *   nvmet: /sys/kernel/config/nvmet
 *   dev: /dev
 *   etc: /etc                     # etc/nvme/hostnqn
 * }</pre>
 *
 * Read as manifests are ({@link CheckedFile}) against its JSON Schema ({@link FileFormat#AGENT_CONFIG}, {@code nvmesh
 * schema AgentConfig}): unknown keys, explicit tags, types and required fields are the schema's; what it cannot say
 * (URLs, NQNs, addresses, sections that need a role) is checked here. Every problem is reported at once with
 * file:line:column.
 */
record HostAgentConfig(String nodeId, boolean target, boolean client, List<URI> connect, Path tokenFile,
                       Map<String, String> labels, Duration pollInterval, boolean smartLog,
                       TargetBackend.Port port, List<String> blockDevices,
                       Map<String, ClientBackend.Address> targets, int defaultPort, Duration deviceWait,
                       HostRoots roots) {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");
    private static final Pattern HOST_PORT = Pattern.compile("(?:\\[([0-9a-fA-F:.]+)]|([^:\\[\\]]+)):(\\d{1,5})");

    static HostAgentConfig load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidHostConfig(List.of(new Problem(file.toString(), 0, 0, "", "", "cannot read: "
                    + e.getClass().getSimpleName())));
        }
        return new Reader(file.toAbsolutePath().getParent()).read(CheckedFile.read(FileFormat.AGENT_CONFIG,
                file.toString(), bytes));
    }

    static HostAgentConfig parse(String text, String file, Path baseDir) {
        return new Reader(baseDir).read(CheckedFile.read(FileFormat.AGENT_CONFIG, file,
                text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The configuration could not be used; the message lists every problem, one per line. */
    static final class InvalidHostConfig extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidHostConfig(List<Problem> problems) {
            super(problems.stream().sorted(Problem.ORDER).map(Problem::render).collect(Collectors.joining("\n")));
        }
    }

    private static final class Reader {
        private final Path baseDir;
        private final List<Problem> problems = new ArrayList<>();

        Reader(Path baseDir) {
            this.baseDir = baseDir;
        }

        HostAgentConfig read(CheckedFile file) {
            problems.addAll(file.problems());
            if (!file.readable()) {
                throw new InvalidHostConfig(problems);
            }
            Field top = file.root();
            String nodeId = text(top.get("nodeId")).orElse("");
            if (!nodeId.isEmpty() && !AgentProtocol.isNodeId(nodeId)) {
                problem(top.get("nodeId"), "must be 1-63 of a-z 0-9 . _ -, starting with a letter or digit");
            }
            String role = text(top.get("role")).orElse(""); // required: the schema says when it is missing or wrong
            boolean target = role.equals("target") || role.equals("both");
            boolean client = role.equals("client") || role.equals("both");
            List<URI> connect = new ArrayList<>();
            for (Field item : top.get("connect").items()) {
                Optional<String> u = text(item);
                try {
                    URI uri = URI.create(u.orElseThrow(IllegalArgumentException::new));
                    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                        throw new IllegalArgumentException();
                    }
                    connect.add(uri);
                } catch (IllegalArgumentException ex) {
                    u.ifPresent(v -> problem(item, "\"" + v + "\" is not an http(s) base URL of a reconciler"));
                }
            }
            Path tokenFile = text(top.get("tokenFile")).map(baseDir::resolve).orElse(null);
            Map<String, String> labels = new TreeMap<>(top.get("labels").texts());
            Duration poll = duration(top.get("pollInterval"), Duration.ofSeconds(5));
            boolean smart = !text(top.get("smartLog")).orElse("true").equalsIgnoreCase("false");

            Field t = top.get("target");
            TargetBackend.Port port = target ? port(t) : null;
            List<String> blocks = new ArrayList<>();
            if (target) {
                t.get("blockDevices").items().forEach(b -> text(b).ifPresent(blocks::add));
            } else if (t.present()) {
                problem(t, "is for role target or both");
            }
            Field c = top.get("client");
            int defaultPort = text(c.get("defaultPort")).map(Integer::parseInt).orElse(4420);
            Duration deviceWait = duration(c.get("deviceWait"), Duration.ofSeconds(10));
            Map<String, ClientBackend.Address> targets = client ? targets(c.get("targets")) : Map.of();
            if (!client && c.present()) {
                problem(c, "is for role client or both");
            }
            Field p = top.get("paths");
            HostRoots roots = new HostRoots(path(p.get("sys"), HostRoots.LINUX.sys()), path(p.get("nvmet"),
                    HostRoots.LINUX.nvmet()), path(p.get("dev"), HostRoots.LINUX.dev()), path(p.get("etc"),
                    HostRoots.LINUX.etc()));
            if (!problems.isEmpty()) {
                throw new InvalidHostConfig(problems);
            }
            return new HostAgentConfig(nodeId, target, client, connect, tokenFile, labels, poll, smart, port,
                    List.copyOf(blocks), targets, defaultPort, deviceWait, roots);
        }

        /** The NVMe-oF port a target serves on ({@code target.listen} and what goes with it); null after a problem. */
        private TargetBackend.Port port(Field t) {
            String listen = text(t.get("listen")).orElse("");
            Matcher m = HOST_PORT.matcher(listen);
            if (listen.isEmpty()) {
                problem(t.get("listen"), "is required for a target: the address and port clients connect to "
                        + "(e.g. 10.0.0.11:4420)");
                return null;
            }
            if (!m.matches()) {
                problem(t.get("listen"), "is not address:port (e.g. 10.0.0.11:4420)");
                return null;
            }
            boolean v6 = m.group(1) != null;
            List<String> hosts = new ArrayList<>();
            for (Field host : t.get("allowedHosts").items()) {
                text(host).ifPresent(h -> {
                    try {
                        Names.checkNqn(h);
                        hosts.add(h);
                    } catch (IllegalArgumentException ex) {
                        problem(host, "is not a host NQN");
                    }
                });
            }
            return new TargetBackend.Port(text(t.get("portId")).orElse("1"), text(t.get("transport")).orElse("tcp"),
                    v6 ? "ipv6" : "ipv4", v6 ? m.group(1) : m.group(2), m.group(3), hosts);
        }

        /** {@code client.targets}: where each target listens. */
        private Map<String, ClientBackend.Address> targets(Field targets) {
            Map<String, ClientBackend.Address> out = new TreeMap<>();
            for (Field e : targets.fields()) {
                text(e).ifPresent(v -> {
                    Matcher m = HOST_PORT.matcher(v);
                    if (!m.matches()) {
                        problem(e, "is not address:port");
                    } else {
                        out.put(e.key(), new ClientBackend.Address("tcp", m.group(1) != null ? m.group(1)
                                : m.group(2), m.group(3)));
                    }
                });
            }
            return out;
        }

        /** The value as written, trimmed, if given (the schema has said what is wrong with any other). */
        private static Optional<String> text(Field field) {
            return field.text().map(String::strip);
        }

        private Path path(Field field, Path fallback) {
            return text(field).filter(v -> !v.isEmpty()).map(v -> baseDir.resolve(v).normalize()).orElse(fallback);
        }

        private Duration duration(Field field, Duration fallback) {
            Optional<String> v = text(field);
            if (v.isEmpty()) {
                return fallback;
            }
            Matcher d = DURATION.matcher(v.get());
            if (!d.matches()) {
                problem(field, "is a duration such as 500ms, 5s or 1m");
                return fallback;
            }
            long n = Long.parseLong(d.group(1));
            Duration out = switch (d.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
            if (out.isZero()) {
                problem(field, "must be positive");
                return fallback;
            }
            return out;
        }

        private void problem(Field at, String message) {
            problems.add(at.problem(message));
        }
    }
}
