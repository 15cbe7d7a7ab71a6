package io.nvmesh.service.host;

import io.nvmesh.schema.Problem;
import io.nvmesh.service.agent.AgentProtocol;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

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
 * Unknown keys and explicit tags are refused; every problem is reported at once with file:line:column.
 */
record HostAgentConfig(String nodeId, boolean target, boolean client, List<URI> connect, Path tokenFile,
                       Map<String, String> labels, Duration pollInterval, boolean smartLog,
                       TargetBackend.Port port, List<String> blockDevices,
                       Map<String, ClientBackend.Address> targets, int defaultPort, Duration deviceWait,
                       HostRoots roots) {

    private static final Set<String> TOP = Set.of("nodeId", "role", "connect", "tokenFile", "labels", "pollInterval",
            "smartLog", "target", "client", "paths");
    private static final Set<String> TARGET = Set.of("listen", "transport", "portId", "allowedHosts", "blockDevices");
    private static final Set<String> CLIENT = Set.of("targets", "defaultPort", "deviceWait");
    private static final Set<String> PATHS = Set.of("sys", "nvmet", "dev", "etc");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");
    private static final Pattern HOST_PORT = Pattern.compile("(?:\\[([0-9a-fA-F:.]+)]|([^:\\[\\]]+)):(\\d{1,5})");

    static HostAgentConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidHostConfig(List.of(new Problem(file.toString(), 0, 0, "", "", "cannot read: "
                    + e.getClass().getSimpleName())));
        }
        return parse(text, file.toString(), file.toAbsolutePath().getParent());
    }

    static HostAgentConfig parse(String text, String file, Path baseDir) {
        return new Reader(file, baseDir).read(text);
    }

    /** The configuration could not be used; the message lists every problem, one per line. */
    static final class InvalidHostConfig extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidHostConfig(List<Problem> problems) {
            super(problems.stream().sorted(Problem.ORDER).map(Problem::render).collect(Collectors.joining("\n")));
        }
    }

    private static final class Reader {
        private final String file;
        private final Path baseDir;
        private final List<Problem> problems = new ArrayList<>();

        Reader(String file, Path baseDir) {
            this.file = file;
            this.baseDir = baseDir;
        }

        HostAgentConfig read(String text) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(20);
            options.setNestingDepthLimit(20);
            options.setCodePointLimit(1 << 20);
            Node root;
            try {
                root = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
            } catch (MarkedYAMLException e) {
                Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
                throw new InvalidHostConfig(List.of(new Problem(file, m == null ? 0 : m.getLine() + 1,
                        m == null ? 0 : m.getColumn() + 1, "", "", "not valid YAML: " + e.getProblem())));
            } catch (YAMLException e) {
                throw new InvalidHostConfig(List.of(new Problem(file, 0, 0, "", "", "not valid YAML")));
            }
            if (root == null) {
                throw new InvalidHostConfig(List.of(new Problem(file, 1, 1, "", "", "the file is empty; at least "
                        + "`nodeId:`, `role:` and `connect:` are required")));
            }
            Map<String, Node> top = map(root, "", TOP);
            String nodeId = scalar(top, "nodeId", true, "");
            if (!nodeId.isEmpty() && !AgentProtocol.isNodeId(nodeId)) {
                problem(top.get("nodeId"), "nodeId", "must be 1-63 of a-z 0-9 . _ -, starting with a letter or digit");
            }
            String role = scalar(top, "role", true, "target");
            boolean target = role.equals("target") || role.equals("both");
            boolean client = role.equals("client") || role.equals("both");
            if (!target && !client && top.containsKey("role")) {
                problem(top.get("role"), "role", "is target, client or both");
            }
            List<URI> connect = new ArrayList<>();
            for (var e : list(top.get("connect"), "connect")) {
                String u = e.getValue();
                try {
                    URI uri = URI.create(u);
                    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                        throw new IllegalArgumentException();
                    }
                    connect.add(uri);
                } catch (IllegalArgumentException ex) {
                    problem(e.getKey(), "connect", "is not an http(s) base URL of a reconciler");
                }
            }
            if (connect.isEmpty() && !top.containsKey("connect")) {
                problem(root, "connect", "is required: the reconcilers' base URLs");
            }
            Path tokenFile = top.containsKey("tokenFile") ? baseDir.resolve(scalar(top, "tokenFile", false, "")) : null;
            Map<String, String> labels = new TreeMap<>();
            if (top.containsKey("labels")) {
                for (var e : stringMap(top.get("labels"), "labels").entrySet()) {
                    labels.put(e.getKey(), e.getValue());
                }
            }
            Duration poll = duration(top, "pollInterval", Duration.ofSeconds(5));
            boolean smart = !scalar(top, "smartLog", false, "true").equals("false");

            TargetBackend.Port port = null;
            List<String> blocks = List.of();
            if (target) {
                Map<String, Node> t = top.containsKey("target") ? map(top.get("target"), "target", TARGET) : Map.of();
                String listen = scalar(t, "listen", false, "");
                String transport = scalar(t, "transport", false, "tcp");
                if (!transport.equals("tcp") && !transport.equals("rdma")) {
                    problem(t.get("transport"), "target.transport", "is tcp or rdma");
                }
                Matcher m = HOST_PORT.matcher(listen);
                if (listen.isEmpty()) {
                    problem(top.getOrDefault("target", root), "target.listen", "is required for a target: the "
                            + "address and port clients connect to (e.g. 10.0.0.11:4420)");
                } else if (!m.matches()) {
                    problem(t.get("listen"), "target.listen", "is not address:port (e.g. 10.0.0.11:4420)");
                } else {
                    boolean v6 = m.group(1) != null;
                    List<String> hosts = new ArrayList<>();
                    for (var e : list(t.get("allowedHosts"), "target.allowedHosts")) {
                        try {
                            Names.checkNqn(e.getValue());
                            hosts.add(e.getValue());
                        } catch (IllegalArgumentException ex) {
                            problem(e.getKey(), "target.allowedHosts", "is not a host NQN");
                        }
                    }
                    String portId = scalar(t, "portId", false, "1");
                    if (!portId.matches("\\d{1,5}")) {
                        problem(t.get("portId"), "target.portId", "is a number (the configfs port's name)");
                    }
                    port = new TargetBackend.Port(portId, transport, v6 ? "ipv6" : "ipv4",
                            v6 ? m.group(1) : m.group(2), m.group(3), hosts);
                }
                List<String> b = new ArrayList<>();
                for (var e : list(t.get("blockDevices"), "target.blockDevices")) {
                    if (!e.getValue().matches("[a-z][a-z0-9]{0,31}")) {
                        problem(e.getKey(), "target.blockDevices", "is a block device name as in /sys/block (sdb)");
                    } else {
                        b.add(e.getValue());
                    }
                }
                blocks = b;
            } else if (top.containsKey("target")) {
                problem(top.get("target"), "target", "is for role target or both");
            }
            Map<String, ClientBackend.Address> targets = new TreeMap<>();
            int defaultPort = 4420;
            Duration deviceWait = Duration.ofSeconds(10);
            if (client && top.containsKey("client")) {
                Map<String, Node> c = map(top.get("client"), "client", CLIENT);
                String dp = scalar(c, "defaultPort", false, "4420");
                if (!dp.matches("\\d{1,5}")) {
                    problem(c.get("defaultPort"), "client.defaultPort", "is a port number");
                } else {
                    defaultPort = Integer.parseInt(dp);
                }
                deviceWait = duration(c, "deviceWait", deviceWait);
                if (c.containsKey("targets")) {
                    for (var e : stringMap(c.get("targets"), "client.targets").entrySet()) {
                        Matcher m = HOST_PORT.matcher(e.getValue());
                        if (!m.matches()) {
                            problem(c.get("targets"), "client.targets." + e.getKey(), "is not address:port");
                        } else {
                            targets.put(e.getKey(), new ClientBackend.Address("tcp", m.group(1) != null ? m.group(1)
                                    : m.group(2), m.group(3)));
                        }
                    }
                }
            } else if (!client && top.containsKey("client")) {
                problem(top.get("client"), "client", "is for role client or both");
            }
            HostRoots roots = HostRoots.LINUX;
            if (top.containsKey("paths")) {
                Map<String, Node> p = map(top.get("paths"), "paths", PATHS);
                roots = new HostRoots(path(p, "sys", roots.sys()), path(p, "nvmet", roots.nvmet()),
                        path(p, "dev", roots.dev()), path(p, "etc", roots.etc()));
            }
            if (!problems.isEmpty()) {
                throw new InvalidHostConfig(problems);
            }
            return new HostAgentConfig(nodeId, target, client, connect, tokenFile, labels, poll, smart, port, blocks,
                    targets, defaultPort, deviceWait, roots);
        }

        private Path path(Map<String, Node> m, String key, Path fallback) {
            String v = scalar(m, key, false, "");
            return v.isEmpty() ? fallback : baseDir.resolve(v).normalize();
        }

        private Duration duration(Map<String, Node> m, String key, Duration fallback) {
            if (!m.containsKey(key)) {
                return fallback;
            }
            String v = scalar(m, key, false, "");
            Matcher d = DURATION.matcher(v);
            if (!d.matches()) {
                problem(m.get(key), key, "is a duration such as 500ms, 5s or 1m");
                return fallback;
            }
            long n = Long.parseLong(d.group(1));
            Duration out = switch (d.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
            if (out.isZero()) {
                problem(m.get(key), key, "must be positive");
                return fallback;
            }
            return out;
        }

        private Map<String, Node> map(Node node, String where, Set<String> allowed) {
            Map<String, Node> out = new LinkedHashMap<>();
            if (!(node instanceof MappingNode m)) {
                problem(node, where, "must be a mapping");
                return out;
            }
            for (NodeTuple t : m.getValue()) {
                String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
                if (!allowed.contains(key)) {
                    problem(t.getKeyNode(), where, "unknown key `" + key.replaceAll("[^A-Za-z0-9_.-]", "?")
                            + "`; known: " + String.join(", ", new java.util.TreeSet<>(allowed)));
                    continue;
                }
                out.put(key, t.getValueNode());
            }
            return out;
        }

        private Map<String, String> stringMap(Node node, String where) {
            Map<String, String> out = new LinkedHashMap<>();
            if (!(node instanceof MappingNode m)) {
                problem(node, where, "must be a mapping");
                return out;
            }
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && t.getValueNode() instanceof ScalarNode v) {
                    out.put(k.getValue(), v.getValue());
                } else {
                    problem(t.getKeyNode(), where, "keys and values are plain strings");
                }
            }
            return out;
        }

        private List<Map.Entry<Node, String>> list(Node node, String where) {
            List<Map.Entry<Node, String>> out = new ArrayList<>();
            if (node == null) {
                return out;
            }
            if (!(node instanceof SequenceNode s)) {
                problem(node, where, "must be a list");
                return out;
            }
            for (Node n : s.getValue()) {
                if (n instanceof ScalarNode v) {
                    out.add(Map.entry(n, v.getValue()));
                } else {
                    problem(n, where, "items are plain strings");
                }
            }
            return out;
        }

        private String scalar(Map<String, Node> m, String key, boolean required, String fallback) {
            Node n = m.get(key);
            if (n == null) {
                if (required) {
                    problems.add(new Problem(file, 1, 1, "", "", "`" + key + ":` is required"));
                }
                return fallback;
            }
            if (!(n instanceof ScalarNode s)) {
                problem(n, key, "must be a plain value");
                return fallback;
            }
            return s.getValue().strip();
        }

        private void problem(Node at, String path, String message) {
            Mark m = at == null ? null : at.getStartMark();
            problems.add(new Problem(file, m == null ? 0 : m.getLine() + 1, m == null ? 0 : m.getColumn() + 1, "",
                    path, message));
        }
    }
}
