package io.nvmesh.cli.demo;

import io.nvmesh.core.net.LoopbackPorts;
import io.nvmesh.core.reconcile.ApplyResult;
import io.nvmesh.core.reconcile.DesiredApply;
import io.nvmesh.core.reconcile.LocalManifests;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.StateStore;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Prepares a demo folder: a fresh bare repository whose desired branch holds the samples (committed exactly as
 * {@code nvmesh apply} commits), one configuration per instance with generated tokens and free loopback ports, and
 * {@code client.properties} (server and read token) for {@code nvmesh get}. Nothing is started here.
 */
public final class DemoSetup {

    /** Marks a folder as a demo's, so that a new demo may clear it; any other non-empty folder is refused. */
    static final String MARKER = ".nvmesh-demo";
    static final String BRANCH = "main";
    private static final Pattern VOLUME = Pattern.compile("(?m)^kind:\\s*Volume\\s*$");

    /**
     * What was prepared.
     *
     * @param urls    instance id → base URL
     * @param configs instance id → configuration file
     * @param volumes how many Volume manifests the samples hold
     * @param desired the desired commit seeded
     */
    public record Prepared(Path dir, Path repository, Map<String, URI> urls, Map<String, Path> configs,
                           String adminToken, String readToken, String agentSecret, int volumes, String desired,
                           Path clientFile) {
        public Prepared {
            urls = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(urls));
            configs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(configs));
        }

        public Path logs() {
            return dir.resolve("logs");
        }
    }

    private DemoSetup() {
    }

    /**
     * @param dir     the demo folder (created; cleared when it holds an earlier demo)
     * @param samples the desired-state folder to seed ({@code samples/})
     */
    public static Prepared prepare(Path dir, Path samples, int instances) throws IOException {
        if (instances < 1 || instances > 9) {
            throw new IllegalArgumentException("a demo runs 1 to 9 instances, got " + instances);
        }
        if (!Files.isDirectory(samples)) {
            throw new IllegalArgumentException("no samples folder at " + samples);
        }
        clear(dir);
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve(MARKER), "created by nvmesh demo; the next demo may delete this folder\n");
        Path repo = dir.resolve("state.git");

        LocalManifests local = LocalManifests.read(List.of(samples.toString()), samples);
        int volumes = 0;
        for (byte[] b : local.files().values()) {
            volumes += (int) VOLUME.matcher(new String(b, StandardCharsets.UTF_8)).results().count();
        }
        String desired;
        try (StateStore store = StateStore.openOrCreate(repo)) {
            ApplyResult r = DesiredApply.apply(store, BRANCH, local, false, Optional.empty(),
                    "nvmesh demo: the samples", new Author("nvmesh demo", "demo@nvmesh.local"));
            desired = r.commit();
        }

        String admin = token("admin");
        String read = token("read");
        String peer = token("peer");
        String agent = token("agent");
        Map<String, URI> urls = new LinkedHashMap<>();
        java.util.Iterator<Integer> ports = LoopbackPorts.free(instances).iterator();
        for (int i = 1; i <= instances; i++) {
            urls.put("r" + i, URI.create("http://127.0.0.1:" + ports.next()));
        }
        Map<String, Path> configs = new LinkedHashMap<>();
        for (Map.Entry<String, URI> e : urls.entrySet()) {
            StringBuilder y = new StringBuilder();
            y.append("# nvmesh demo instance ").append(e.getKey()).append("; tokens are generated per demo\n");
            y.append("id: ").append(e.getKey()).append('\n');
            y.append("listen: 127.0.0.1:").append(e.getValue().getPort()).append('\n');
            y.append("dataDir: data/").append(e.getKey()).append('\n');
            y.append("git:\n  remote: ").append(repo.toAbsolutePath()).append("\n  branch: ").append(BRANCH)
                    .append("\n  pollInterval: 1s\n");
            List<String> peers = new ArrayList<>();
            urls.forEach((id, url) -> {
                if (!id.equals(e.getKey())) {
                    peers.add("  - id: " + id + "\n    url: " + url + "\n");
                }
            });
            if (!peers.isEmpty()) {
                y.append("peers:\n");
                peers.forEach(y::append);
            }
            y.append("auth:\n  adminTokens: [").append(admin).append("]\n  readTokens: [").append(read)
                    .append("]\n  peerSecret: ").append(peer).append("\n  agentSecret: ").append(agent).append('\n');
            Path file = dir.resolve(e.getKey() + ".yaml");
            writePrivate(file, y.toString());
            configs.put(e.getKey(), file);
        }
        Path client = dir.resolve("client.properties");
        writeClientFile(client, urls.values().iterator().next(), read);
        return new Prepared(dir, repo, urls, configs, admin, read, agent, volumes, desired, client);
    }

    /** Points {@code nvmesh get} at another instance, when the one its file names has died. */
    static void pointClientAt(Prepared demo, URI server) throws IOException {
        writeClientFile(demo.clientFile(), server, demo.readToken());
    }

    private static void writeClientFile(Path file, URI server, String readToken) throws IOException {
        writePrivate(file, "# written by nvmesh demo: where nvmesh get/describe/status go by default\n"
                + "server=" + server + "\ntoken=" + readToken + "\n");
    }

    private static void clear(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            Files.createDirectories(dir);
            return;
        }
        boolean empty;
        try (var s = Files.list(dir)) {
            empty = s.findAny().isEmpty();
        }
        if (empty) {
            return;
        }
        if (!Files.exists(dir.resolve(MARKER))) {
            throw new IllegalArgumentException(dir + " is not empty and not an earlier demo's folder; "
                    + "choose another with --dir");
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (!d.equals(dir)) {
                    Files.delete(d);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Files.writeString(file, text);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the folder's own permissions apply
        }
    }

    private static String token(String role) {
        byte[] b = new byte[20];
        new SecureRandom().nextBytes(b);
        return "demo-" + role + "-" + HexFormat.of().formatHex(b);
    }

}
