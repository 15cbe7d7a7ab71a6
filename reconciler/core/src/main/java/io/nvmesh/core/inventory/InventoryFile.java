package io.nvmesh.core.inventory;

import io.nvmesh.core.allocation.Client;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Problem;
import io.nvmesh.schema.Size;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads an inventory file (see docs/gitops.md):
 *
 * <pre>
 * apiVersion: nvmesh.io/v1
 * kind: Inventory
 * targets:
 *   - id: tgt-r11-01
 *     labels: {zone: eu-west-1a, rack: r11}
 *     health: healthy                  # healthy | unhealthy (default healthy)
 *     drives:
 *       - serial: S6EWNA0T100001
 *         capacity: 7.68TB             # a size: 7.68TB, 3576GiB ...
 *         health: ok                   # ok | cordoned | failed | missing (default ok)
 *         labels: {model: PM1743, media: tlc, interface: pcie5}
 * clients:
 *   - id: app-01
 *     labels: {team: payments}
 * </pre>
 *
 * Every problem is collected with its line and column; an inventory is returned only when there is none.
 */
public final class InventoryFile {

    /** The inventory read, if there was no problem, and every problem found. */
    public record Result(Optional<Inventory> inventory, List<Problem> problems) {
        public Result {
            problems = problems.stream().sorted(Problem.ORDER).toList();
        }
    }

    public static final String KIND = "Inventory";
    private static final long MAX_BYTES = 64L << 20;

    private final String file;
    private final List<Problem> problems = new ArrayList<>();

    private InventoryFile(String file) {
        this.file = file;
    }

    public static Result parse(String file, byte[] bytes) {
        return new InventoryFile(file).read(bytes);
    }

    private Result read(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            problems.add(new Problem(file, 0, 0, "", "", "file is over the 64 MiB limit for an inventory"));
            return done(null);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            problems.add(new Problem(file, 0, 0, "", "", "not UTF-8 text; save the file as UTF-8"));
            return done(null);
        }
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(0);
            options.setNestingDepthLimit(20);
            options.setCodePointLimit((int) MAX_BYTES);
            Composer composer = new Composer(new ParserImpl(new StreamReader(text), options), new PlainResolver(),
                    options);
            root = composer.getSingleNode();
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            problems.add(new Problem(file, m == null ? 0 : m.getLine() + 1, m == null ? 0 : m.getColumn() + 1, "", "",
                    "YAML syntax error: " + e.getProblem()));
            return done(null);
        } catch (YAMLException e) {
            problems.add(new Problem(file, 0, 0, "", "", "cannot read YAML: " + e.getMessage()));
            return done(null);
        }
        if (root == null) {
            problems.add(new Problem(file, 1, 1, "", "", "file is empty; expected an Inventory document"));
            return done(null);
        }
        Map<String, Node> top = mapping(root, "", Set.of("apiVersion", "kind", "targets", "clients"));
        if (top == null) {
            return done(null);
        }
        expect(top, root, "apiVersion", "nvmesh.io/v1");
        expect(top, root, "kind", KIND);
        List<Target> targets = new ArrayList<>();
        Map<String, String> serials = new HashMap<>();
        Map<String, String> ids = new HashMap<>();
        Node tn = top.get("targets");
        if (tn == null) {
            problem(root, "targets", "is required (a list of targets)");
        } else {
            List<Node> items = sequence(tn, "targets");
            for (int i = 0; i < items.size(); i++) {
                Target t = target(items.get(i), "targets[" + i + "]", serials);
                if (t != null) {
                    String prev = ids.putIfAbsent(t.id(), "targets[" + i + "]");
                    if (prev != null) {
                        problem(items.get(i), "targets[" + i + "].id", "target " + t.id() + " is listed twice (also "
                                + prev + ")");
                    } else {
                        targets.add(t);
                    }
                }
            }
        }
        List<Client> clients = new ArrayList<>();
        Node cn = top.get("clients");
        if (cn != null) {
            List<Node> items = sequence(cn, "clients");
            Map<String, String> seen = new HashMap<>();
            for (int i = 0; i < items.size(); i++) {
                String path = "clients[" + i + "]";
                Map<String, Node> m = mapping(items.get(i), path, Set.of("id", "labels"));
                if (m == null) {
                    continue;
                }
                String id = id(m, items.get(i), path);
                Map<String, String> labels = labels(m.get("labels"), path + ".labels");
                if (id != null && seen.putIfAbsent(id, path) != null) {
                    problem(items.get(i), path + ".id", "client " + id + " is listed twice");
                } else if (id != null) {
                    clients.add(new Client(id, labels));
                }
            }
        }
        return done(problems.isEmpty() ? new Inventory(targets, clients) : null);
    }

    private Target target(Node node, String path, Map<String, String> serials) {
        Map<String, Node> m = mapping(node, path, Set.of("id", "labels", "health", "drives"));
        if (m == null) {
            return null;
        }
        String id = id(m, node, path);
        Map<String, String> labels = labels(m.get("labels"), path + ".labels");
        TargetHealth health = enumValue(m.get("health"), path + ".health", TargetHealth.class, TargetHealth.HEALTHY);
        List<Drive> drives = new ArrayList<>();
        Node dn = m.get("drives");
        if (dn != null) {
            List<Node> items = sequence(dn, path + ".drives");
            for (int i = 0; i < items.size(); i++) {
                String dp = path + ".drives[" + i + "]";
                Map<String, Node> d = mapping(items.get(i), dp, Set.of("serial", "capacity", "health", "labels"));
                if (d == null) {
                    continue;
                }
                String serial = scalar(d.get("serial"), dp + ".serial", items.get(i));
                if (serial != null && !StateFiles.ID.matcher(serial).matches()) {
                    problem(d.get("serial"), dp + ".serial", "\"" + serial
                            + "\" is not a valid serial (letters, digits, '.', '_' and '-', at most 128)");
                    serial = null;
                }
                if (serial != null) {
                    String prev = serials.putIfAbsent(serial, dp);
                    if (prev != null) {
                        problem(d.get("serial"), dp + ".serial", "drive " + serial + " is listed twice (also " + prev
                                + ")");
                        serial = null;
                    }
                }
                Long capacity = null;
                String c = scalar(d.get("capacity"), dp + ".capacity", items.get(i));
                if (c != null) {
                    try {
                        capacity = Size.parse(c).bytes();
                    } catch (IllegalArgumentException e) {
                        problem(d.get("capacity"), dp + ".capacity", e.getMessage());
                    }
                }
                DriveHealth dh = enumValue(d.get("health"), dp + ".health", DriveHealth.class, DriveHealth.OK);
                Map<String, String> dl = labels(d.get("labels"), dp + ".labels");
                if (serial != null && capacity != null && dh != null) {
                    drives.add(new Drive(serial, capacity, dh, dl));
                }
            }
        }
        return id == null || health == null ? null : new Target(id, labels, health, drives);
    }

    private String id(Map<String, Node> m, Node owner, String path) {
        String id = scalar(m.get("id"), path + ".id", owner);
        if (id != null && !StateFiles.ID.matcher(id).matches()) {
            problem(m.get("id"), path + ".id", "\"" + id
                    + "\" is not a valid id (letters, digits, '.', '_' and '-', starting with a letter or digit)");
            return null;
        }
        return id;
    }

    private <E extends Enum<E>> E enumValue(Node n, String path, Class<E> type, E dflt) {
        if (n == null) {
            return dflt;
        }
        String s = scalar(n, path, n);
        if (s == null) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(s)) {
                return e;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            allowed.add(e.name().toLowerCase(Locale.ROOT));
        }
        problem(n, path, "\"" + s + "\" is not one of " + String.join(", ", allowed));
        return null;
    }

    private Map<String, String> labels(Node n, String path) {
        Map<String, String> out = new TreeMap<>();
        if (n == null) {
            return out;
        }
        Map<String, Node> m = mapping(n, path, null);
        if (m == null) {
            return out;
        }
        m.forEach((k, v) -> {
            String s = scalar(v, path + "." + k, v);
            // The rules manifests and agents follow: what an inventory records is shown in terminals and pages.
            if (!Metadata.LABEL_KEY.matcher(k).matches()) {
                problem(n, path, "\"" + k + "\" is not a label key (an optional DNS prefix and '/', then 1-63 of "
                        + "A-Z a-z 0-9 - _ . starting and ending with a letter or digit)");
            } else if (s != null && !Metadata.LABEL_VALUE.matcher(s).matches()) {
                problem(v, path + "." + k, "\"" + s + "\" is not a label value (at most 63 of A-Z a-z 0-9 - _ . "
                        + "starting and ending with a letter or digit)");
            } else if (s != null) {
                out.put(k, s);
            }
        });
        return out;
    }

    private void expect(Map<String, Node> top, Node root, String key, String value) {
        Node n = top.get(key);
        if (n == null) {
            problem(root, key, "is required: " + value);
            return;
        }
        String s = scalar(n, key, n);
        if (s != null && !s.equals(value)) {
            problem(n, key, "\"" + s + "\" is not " + value);
        }
    }

    /** The keys of a mapping (null and a problem if it is not one); unknown keys are problems when known != null. */
    private Map<String, Node> mapping(Node n, String path, Set<String> known) {
        if (!(n instanceof MappingNode mn)) {
            problem(n, path, "expected a mapping (key: value)");
            return null;
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : mn.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                problem(t.getKeyNode(), path, "keys must be plain text");
                continue;
            }
            String key = k.getValue();
            if (known != null && !known.contains(key)) {
                problem(k, path.isEmpty() ? key : path + "." + key, "unknown field; expected one of "
                        + String.join(", ", known.stream().sorted().toList()));
                continue;
            }
            out.put(key, t.getValueNode());
        }
        return out;
    }

    private List<Node> sequence(Node n, String path) {
        if (!(n instanceof SequenceNode s)) {
            problem(n, path, "expected a list");
            return List.of();
        }
        return s.getValue();
    }

    private String scalar(Node n, String path, Node owner) {
        if (n == null) {
            problem(owner, path, "is required");
            return null;
        }
        if (!(n instanceof ScalarNode s) || s.getValue().isBlank()) {
            problem(n, path, "expected a non-empty value");
            return null;
        }
        return s.getValue();
    }

    private void problem(Node at, String path, String message) {
        Mark m = at == null ? null : at.getStartMark();
        problems.add(new Problem(file, m == null ? 0 : m.getLine() + 1, m == null ? 0 : m.getColumn() + 1, "", path,
                message));
    }

    private Result done(Inventory inventory) {
        return new Result(Optional.ofNullable(inventory), problems);
    }

    /** Leaves every scalar as written: capacities like 3.84TB and ids like 0001 stay text. */
    private static final class PlainResolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
        }
    }
}
