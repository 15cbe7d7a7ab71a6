package io.nvmesh.core.credentials;

import io.nvmesh.schema.Problem;
import io.nvmesh.schema.validation.CheckedFile;
import io.nvmesh.schema.validation.FileFormat;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
 * The file is read and checked against its JSON Schema ({@link FileFormat#CREDENTIALS}, {@code nvmesh schema
 * Credentials}) as manifests are: composed, never constructed, unknown keys refused, 16 MiB at most, UTF-8 only. What
 * a schema cannot say (names and node ids, agents' nodes, a name with two roles, a token of two credentials, times)
 * is checked here; every problem has its file:line:column, and credentials are returned only when there is none: a
 * file with a problem never yields part of its credentials. An empty file holds none. It is written atomically with
 * mode 0600.
 */
public final class CredentialsFile {

    /** The problems found, or the credentials. */
    public record Result(Optional<Credentials> credentials, List<Problem> problems) {
        public Result {
            problems = problems.stream().sorted(Problem.ORDER).toList();
        }
    }

    private final List<Problem> problems = new ArrayList<>();
    /** The paths the schema refused a value at: such a value is not read again. */
    private final Set<String> refused = new HashSet<>();

    private CredentialsFile() {
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
        return new CredentialsFile().read(CheckedFile.read(FileFormat.CREDENTIALS, file, bytes));
    }

    private Result read(CheckedFile checked) {
        problems.addAll(checked.problems());
        checked.problems().forEach(p -> refused.add(p.path()));
        List<Credential> read = new ArrayList<>();
        Map<String, Credential> byName = new HashMap<>();
        Map<String, Credential> byHash = new HashMap<>();
        for (CheckedFile.Field item : checked.root().get("credentials").items()) {
            Optional<Credential> entry = entry(item);
            if (entry.isEmpty()) {
                continue;
            }
            Credential c = entry.get();
            // The rules of Credentials, said where the second credential is written.
            Credential first = byName.putIfAbsent(c.name(), c);
            if (first != null && first.role() != c.role()) {
                problems.add(item.get("role").problem("credential " + c.name() + " is listed as "
                        + first.role().word() + " and as " + c.role().word() + "; a name has one role"));
            }
            Credential same = byHash.putIfAbsent(c.sha256(), c);
            if (same != null) {
                problems.add(item.get("sha256").problem("two credentials (" + same.name() + ", " + c.name()
                        + ") have the same token; each caller needs its own"));
            }
            read.add(c);
        }
        if (!problems.isEmpty()) {
            return new Result(Optional.empty(), problems);
        }
        try {
            return new Result(Optional.of(Credentials.of(read)), List.of());
        } catch (IllegalArgumentException e) {
            return new Result(Optional.empty(), List.of(new Problem(checked.file(), 0, 0, "", "", e.getMessage())));
        }
    }

    /** The credential of one entry; empty when a value is missing or refused (the schema said so already). */
    private Optional<Credential> entry(CheckedFile.Field item) {
        boolean whole = true;
        Optional<String> name = item.get("name").written();
        if (name.isPresent() && name.get().isEmpty()) {
            problems.add(item.get("name").problem("must not be empty"));
            whole = false;
        }
        Optional<Role> role = item.get("role").text().flatMap(Role::of);
        Optional<String> sha256 = item.get("sha256").text();
        List<String> nodes = new ArrayList<>();
        CheckedFile.Field nodesField = item.get("nodes");
        whole &= !refused.contains(nodesField.path());
        for (CheckedFile.Field node : nodesField.items()) {
            Optional<String> id = node.written();
            id.ifPresent(nodes::add);
            whole &= id.isPresent();
        }
        Optional<Instant> expires = Optional.empty();
        CheckedFile.Field expiresField = item.get("expires");
        if (expiresField.present()) {
            Optional<String> text = expiresField.text();
            try {
                expires = text.map(Instant::parse);
            } catch (DateTimeParseException e) {
                problems.add(expiresField.problem("must be a UTC time such as 2027-06-01T00:00:00Z"));
            }
            whole &= expires.isPresent();
        }
        if (!whole || name.isEmpty() || role.isEmpty() || sha256.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Credential(name.get(), role.get(), nodes, sha256.get(), expires));
        } catch (IllegalArgumentException e) {
            problems.add(item.problem(e.getMessage()));
            return Optional.empty();
        }
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
            y.append("    sha256: \"").append(c.sha256()).append("\"\n"); // quoted: all-digit hex must stay text
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
