package io.nvmesh.service.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The nvmet configfs tree ({@code /sys/kernel/config/nvmet}, or a folder shaped like it): reads what is configured
 * and makes the writes a plan asks for. In the kernel's tree, {@code mkdir} makes a group's attributes and default
 * groups and {@code rmdir} removes them; a plain folder ({@link #emulated}) does the same here, so tests read back
 * exactly what the agent wrote.
 */
final class Configfs {

    /** The default groups the kernel makes inside a new group, by the parent's name. */
    private static final Map<String, List<String>> DEFAULT_GROUPS = Map.of(
            "subsystems", List.of("namespaces", "allowed_hosts"),
            "ports", List.of("subsystems", "referrals", "ana_groups"));

    private final Path root;
    private final boolean emulated;

    private Configfs(Path root, boolean emulated) {
        this.root = root;
        this.emulated = emulated;
    }

    /** The kernel's tree: writes go straight to configfs. */
    public static Configfs kernel(Path root) {
        return new Configfs(root, false);
    }

    /** A plain folder playing the kernel's tree (tests, or a trial on a machine without nvmet). */
    public static Configfs emulated(Path root) {
        return new Configfs(root, true);
    }

    public Path root() {
        return root;
    }

    public Path subsystem(String nqn) {
        return root.resolve("subsystems").resolve(nqn);
    }

    public Path port(String id) {
        return root.resolve("ports").resolve(id);
    }

    public Path host(String nqn) {
        return root.resolve("hosts").resolve(nqn);
    }

    /** Names of the entries of a group, empty when it does not exist. */
    public List<String> list(Path group) {
        if (!Files.isDirectory(group)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(group)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + group, e);
        }
    }

    /** An attribute's value without its trailing newline, or empty when it does not exist. */
    public Optional<String> read(Path attribute) {
        if (!Files.isRegularFile(attribute)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(attribute, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + attribute, e);
        }
    }

    public boolean exists(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    void mkdir(Path dir) throws IOException {
        Files.createDirectory(dir);
        if (emulated) {
            for (String g : DEFAULT_GROUPS.getOrDefault(dir.getParent().getFileName().toString(), List.of())) {
                Files.createDirectories(dir.resolve(g));
            }
        }
    }

    void write(Path attribute, String value) throws IOException {
        byte[] bytes = (value + "\n").getBytes(StandardCharsets.UTF_8);
        if (emulated) {
            Files.write(attribute, bytes);
        } else {
            // configfs attributes exist once their group does; they take one write, never a create or truncate
            Files.write(attribute, bytes, StandardOpenOption.WRITE);
        }
    }

    void link(Path link, Path target) throws IOException {
        Files.createSymbolicLink(link, target);
    }

    void remove(Path path, boolean directory) throws IOException {
        if (directory && emulated) {
            List<Path> inside = new ArrayList<>();
            try (Stream<Path> s = Files.list(path)) {
                s.forEach(inside::add);
            }
            for (Path p : inside) {
                // the kernel drops attributes and empty default groups with their group, and refuses anything else
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(p);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(p);
                } else {
                    throw new IOException(path + ": busy (" + p.getFileName() + " still linked)");
                }
            }
        }
        Files.delete(path);
    }
}
