package io.nvmesh.core.credentials;

import io.nvmesh.schema.Problem;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
 * The credentials file every instance reads (and reloads when it changes) and {@code nvmesh token} writes:
 *
 * <pre>
 * credentials:
 *   - name: r1                 # an instance's id, a node's or a person's name
 *     role: instance           # admin | read | instance | agent
 *     sha256: 5e88...          # SHA-256 of the token, lower-case hex; the token itself is never stored
 *   - name: target-01
 *     role: agent
 *     nodes: [target-01]       # agents: the node ids it speaks for (prefix* for a simulator)
 *     expires: 2027-06-01T00:00:00Z   # optional
 * </pre>
 *
 * The YAML is composed into nodes only (no tag can build an object); unknown keys are refused; every problem is
 * reported with file:line:column. The file is written atomically with mode 0600.
 */
public final class CredentialsFile {

    /** The problems found, or the credentials. */
    public record Result(Optional<Credentials> credentials, List<Problem> problems) {
        public Result {
            problems = problems.stream().sorted(Problem.ORDER).toList();
        }
    }

    private static final Set<String> ENTRY = Set.of("name", "role", "nodes", "sha256", "expires");
    private static final int MAX_BYTES = 16 << 20;

    private final String file;
    private final List<Problem> problems = new ArrayList<>();

    private CredentialsFile(String file) {
        this.file = file;
    }

    /** Reads a credentials file; a missing file is a problem (a typo must not leave a cluster without callers). */
    public static Result read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            return new Result(Optional.empty(), List.of(new Problem(path.toString(), 0, 0, "", "",
                    "cannot read credentials: " + e.getClass().getSimpleName() + " " + e.getMessage())));
        }
        return parse(path.toString(), bytes);
    }

    public static Result parse(String file, byte[] bytes) {
        return new CredentialsFile(file).decode(bytes);
    }

    private Result decode(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            return failed(new Problem(file, 0, 0, "", "", "is over the 16 MiB limit for a credentials file"));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return failed(new Problem(file, 0, 0, "", "", "is not UTF-8"));
        }
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(0);
            options.setNestingDepthLimit(10);
            options.setCodePointLimit(MAX_BYTES);
            root = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            return failed(new Problem(file, m == null ? 0 : m.getLine() + 1, m == null ? 0 : m.getColumn() + 1, "", "",
                    "not valid YAML: " + e.getProblem()));
        } catch (YAMLException e) {
            return failed(new Problem(file, 0, 0, "", "", "not valid YAML: " + e.getMessage()));
        }
        if (root == null) {
            return new Result(Optional.of(Credentials.none()), List.of());
        }
        Map<String, Node> top = mapping(root, "", Set.of("credentials"));
        List<Credential> read = new ArrayList<>();
        Node list = top == null ? null : top.get("credentials");
        if (list != null && !(list instanceof ScalarNode s && s.getValue().isEmpty())) {
            if (!(list instanceof SequenceNode seq)) {
                problem(list, "credentials", "must be a list of credentials");
            } else {
                for (int i = 0; i < seq.getValue().size(); i++) {
                    entry(seq.getValue().get(i), "credentials[" + i + "]").ifPresent(read::add);
                }
            }
        }
        if (!problems.isEmpty()) {
            return new Result(Optional.empty(), problems);
        }
        try {
            return new Result(Optional.of(Credentials.of(read)), List.of());
        } catch (IllegalArgumentException e) {
            return failed(new Problem(file, 0, 0, "", "", e.getMessage()));
        }
    }

    private Optional<Credential> entry(Node node, String path) {
        Map<String, Node> m = mapping(node, path, ENTRY);
        if (m == null) {
            return Optional.empty();
        }
        String name = scalar(m, node, path, "name");
        String roleWord = scalar(m, node, path, "role");
        String sha = scalar(m, node, path, "sha256");
        Optional<Role> role = roleWord == null ? Optional.empty() : Role.of(roleWord);
        if (roleWord != null && role.isEmpty()) {
            problem(m.get("role"), path + ".role", "\"" + roleWord + "\" is not a role (admin, read, instance, agent)");
        }
        List<String> nodes = new ArrayList<>();
        Node nn = m.get("nodes");
        if (nn != null) {
            if (!(nn instanceof SequenceNode seq)) {
                problem(nn, path + ".nodes", "must be a list of node ids");
            } else {
                for (Node item : seq.getValue()) {
                    if (item instanceof ScalarNode s) {
                        nodes.add(s.getValue());
                    } else {
                        problem(item, path + ".nodes", "must be a list of node ids");
                    }
                }
            }
        }
        Optional<Instant> expires = Optional.empty();
        Node en = m.get("expires");
        if (en != null) {
            try {
                expires = Optional.of(Instant.parse(en instanceof ScalarNode s ? s.getValue() : ""));
            } catch (DateTimeParseException e) {
                problem(en, path + ".expires", "must be a UTC time such as 2027-06-01T00:00:00Z");
            }
        }
        if (name == null || role.isEmpty() || sha == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Credential(name, role.get(), nodes, sha, expires));
        } catch (IllegalArgumentException e) {
            problem(node, path, e.getMessage());
            return Optional.empty();
        }
    }

    private String scalar(Map<String, Node> m, Node owner, String path, String key) {
        Node n = m.get(key);
        if (n == null) {
            problem(owner, path, "`" + key + "` is required");
            return null;
        }
        if (!(n instanceof ScalarNode s) || s.getValue().isEmpty()) {
            problem(n, path + "." + key, "must be a non-empty text");
            return null;
        }
        return s.getValue();
    }

    private Map<String, Node> mapping(Node node, String path, Set<String> allowed) {
        if (!(node instanceof MappingNode mn)) {
            problem(node, path, "must be a mapping");
            return null;
        }
        Map<String, Node> m = new LinkedHashMap<>();
        for (NodeTuple t : mn.getValue()) {
            String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
            if (!allowed.contains(key)) {
                problem(t.getKeyNode(), path, "unknown key `" + key + "` (known: " + String.join(", ",
                        allowed.stream().sorted().toList()) + ")");
            } else {
                m.put(key, t.getValueNode());
            }
        }
        return m;
    }

    private void problem(Node at, String path, String message) {
        Mark m = at.getStartMark();
        problems.add(new Problem(file, m.getLine() + 1, m.getColumn() + 1, "", path, message));
    }

    private Result failed(Problem p) {
        return new Result(Optional.empty(), List.of(p));
    }

    /** The file's text for these credentials, in their order. */
    public static String render(Credentials credentials) {
        StringBuilder y = new StringBuilder("""
                # nvmesh credentials: who may call the reconciler instances (docs/security.md).
                # Only SHA-256 hashes of tokens are kept here. Instances reload this file when it changes;
                # change it with `nvmesh token create|revoke` or by hand.
                """);
        if (credentials.isEmpty()) {
            return y.append("credentials: []\n").toString();
        }
        y.append("credentials:\n");
        for (Credential c : credentials.all()) {
            y.append("  - name: ").append(c.name()).append('\n');
            y.append("    role: ").append(c.role().word()).append('\n');
            if (!c.nodes().isEmpty()) {
                y.append("    nodes: [").append(String.join(", ", c.nodes().stream().map(CredentialsFile::quoted)
                        .toList())).append("]\n");
            }
            y.append("    sha256: ").append(c.sha256()).append('\n');
            c.expires().ifPresent(e -> y.append("    expires: ").append(e).append('\n'));
        }
        return y.toString();
    }

    private static String quoted(String node) {
        return node.endsWith("*") ? "\"" + node + "\"" : node;
    }

    /** Writes the file atomically (a reloading instance never sees half of it), readable by its owner only. */
    public static void write(Path path, Credentials credentials) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".credentials", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: its own access rules apply.
            }
            Files.writeString(tmp, render(credentials));
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
