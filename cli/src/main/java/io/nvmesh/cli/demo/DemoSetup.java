package io.nvmesh.cli.demo;

import io.nvmesh.cli.remote.ClientTls;
import io.nvmesh.core.certs.CertificateAuthority;
import io.nvmesh.core.certs.CertificateName;
import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.credentials.Role;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Prepares a demo folder: a fresh bare repository whose desired branch holds the samples (committed exactly as
 * {@code nvmesh apply} commits), one configuration per instance with free loopback ports, the credentials of
 * everyone who calls the instances ({@code credentials.yaml}: an admin, a reader, each instance and each simulated
 * node, as token hashes), each instance's own token ({@code r1.token} ...), the fleet's tokens ({@code
 * agent-tokens}, one per node), and {@code client.properties} (server and read token) for {@code nvmesh get}. Every
 * file holding a token is readable by its owner only. Nothing is started here.
 *
 * <p>With TLS (the default), {@code pki/} holds a private CA made for this demo ({@code ca.pem}; its key {@code
 * ca-key.pem}, mode 0600, never leaves the folder), a certificate per instance (for {@code 127.0.0.1} and {@code
 * localhost}; also its client certificate towards its peers), one per simulated node in {@code pki/agents/} (each
 * naming its node, as on real hosts), and client certificates for the demo's admin and reader. Instances serve https
 * only and ask for client certificates ({@code clientAuth: want}: a browser without one signs in with the read
 * token); {@code client.properties} names the CA and the reader's certificate.
 */
public final class DemoSetup {

    /** Marks a folder as a demo's, so that a new demo may clear it; any other non-empty folder is refused. */
    static final String MARKER = ".nvmesh-demo";
    static final String BRANCH = "main";
    static final String CREDENTIALS = "credentials.yaml";
    static final String ADMIN_NAME = "demo-admin";
    static final String READ_NAME = "demo-read";
    private static final Pattern VOLUME = Pattern.compile("(?m)^kind:\\s*Volume\\s*$");

    /**
     * What was prepared.
     *
     * @param urls        instance id → base URL
     * @param configs     instance id → configuration file
     * @param agentTokens {@code node-id token} lines, one per simulated node (the simulator reads them)
     * @param volumes how many Volume manifests the samples hold
     * @param desired the desired commit seeded
     */
    public record Prepared(Path dir, Path repository, Map<String, URI> urls, Map<String, Path> configs,
                           String adminToken, String readToken, Path agentTokens, int volumes, String desired,
                           Path clientFile, boolean tls) {
        public Prepared {
            urls = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(urls));
            configs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(configs));
        }

        /** The demo's certificates ({@code pki/}), when it runs with TLS. */
        public Path pki() {
            return dir.resolve("pki");
        }

        /** The folder of the simulated nodes' certificates ({@code pki/agents/}). */
        public Path agentCertificates() {
            return pki().resolve("agents");
        }

        /** How the reader (the demo's own checks, {@code nvmesh get}) speaks TLS: the CA and its certificate. */
        public ClientTls readerTls() {
            return tls ? client(READ_NAME) : ClientTls.NONE;
        }

        /** The CA and the admin's client certificate. */
        public ClientTls adminTls() {
            return tls ? client(ADMIN_NAME) : ClientTls.NONE;
        }

        private ClientTls client(String name) {
            return new ClientTls(Optional.of(pki().resolve(CertificateAuthority.CA_FILE)),
                    Optional.of(pki().resolve(name + ".pem")), Optional.of(pki().resolve(name + "-key.pem")));
        }

        public Path logs() {
            return dir.resolve("logs");
        }

        public Path credentials() {
            return dir.resolve(CREDENTIALS);
        }
    }

    private DemoSetup() {
    }

    /**
     * @param dir     the demo folder (created; cleared when it holds an earlier demo)
     * @param samples the desired-state folder to seed ({@code samples/})
     * @param nodes   the ids of the simulated fleet's nodes, each given its own agent credential
     */
    public static Prepared prepare(Path dir, Path samples, int instances, List<String> nodes) throws IOException {
        return prepare(dir, samples, instances, nodes, true);
    }

    /**
     * As above; {@code tls}: whether the instances serve https with certificates made here (else plain http on
     * loopback, {@code nvmesh demo --insecure}).
     */
    public static Prepared prepare(Path dir, Path samples, int instances, List<String> nodes, boolean tls)
            throws IOException {
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

        String admin = Credential.newToken();
        String read = Credential.newToken();
        List<Credential> credentials = new ArrayList<>();
        credentials.add(Credential.ofToken(ADMIN_NAME, Role.ADMIN, List.of(), admin));
        credentials.add(Credential.ofToken(READ_NAME, Role.READ, List.of(), read));
        Map<String, URI> urls = new LinkedHashMap<>();
        java.util.Iterator<Integer> ports = LoopbackPorts.free(instances).iterator();
        for (int i = 1; i <= instances; i++) {
            String id = "r" + i;
            urls.put(id, URI.create((tls ? "https" : "http") + "://127.0.0.1:" + ports.next()));
            String own = Credential.newToken();
            credentials.add(Credential.ofToken(id, Role.INSTANCE, List.of(), own));
            writePrivate(dir.resolve(id + ".token"), own + "\n");
        }
        StringBuilder agentLines = new StringBuilder("# written by nvmesh demo: each simulated node's own agent token\n");
        for (String node : nodes) {
            String token = Credential.newToken();
            credentials.add(Credential.ofToken(node, Role.AGENT, List.of(node), token));
            agentLines.append(node).append(' ').append(token).append('\n');
        }
        CredentialsFile.write(dir.resolve(CREDENTIALS), Credentials.of(credentials));
        writePrivate(dir.resolve("admin.token"), admin + "\n");
        Path agentTokens = dir.resolve("agent-tokens");
        writePrivate(agentTokens, agentLines.toString());
        if (tls) {
            makeCertificates(dir.resolve("pki"), urls.keySet(), nodes);
        }
        Map<String, Path> configs = new LinkedHashMap<>();
        for (Map.Entry<String, URI> e : urls.entrySet()) {
            StringBuilder y = new StringBuilder();
            y.append("# nvmesh demo instance ").append(e.getKey()).append("; credentials are generated per demo\n");
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
            y.append("auth:\n  credentialsFile: ").append(CREDENTIALS).append("\n  tokenFile: ").append(e.getKey())
                    .append(".token\n");
            if (tls) {
                y.append("tls:\n  certificate: pki/").append(e.getKey()).append(".pem\n  key: pki/").append(e.getKey())
                        .append("-key.pem\n  clientCa: pki/ca.pem\n  clientAuth: want   # browsers sign in with a "
                                + "token; peers and agents present certificates\n");
            }
            Path file = dir.resolve(e.getKey() + ".yaml");
            writePrivate(file, y.toString());
            configs.put(e.getKey(), file);
        }
        Prepared prepared = new Prepared(dir, repo, urls, configs, admin, read, agentTokens, volumes, desired,
                dir.resolve("client.properties"), tls);
        writeClientFile(prepared, urls.values().iterator().next());
        return prepared;
    }

    /** A CA for this demo, a certificate per instance, per node, and for the admin and the reader. */
    private static void makeCertificates(Path pki, java.util.Collection<String> instances, List<String> nodes)
            throws IOException {
        Files.createDirectories(pki);
        CertificateAuthority ca = CertificateAuthority.createIn(pki, "nvmesh demo", Duration.ofDays(30));
        Duration validity = Duration.ofDays(30);
        for (String id : instances) {
            ca.issue(new CertificateName(Role.INSTANCE, id, List.of()), List.of("127.0.0.1", "localhost"), validity)
                    .write(pki, id);
        }
        Path agents = Files.createDirectories(pki.resolve("agents"));
        for (String node : nodes) {
            ca.issue(new CertificateName(Role.AGENT, node, List.of(node)), List.of(), validity).write(agents, node);
        }
        ca.issue(new CertificateName(Role.ADMIN, ADMIN_NAME, List.of()), List.of(), validity).write(pki, ADMIN_NAME);
        ca.issue(new CertificateName(Role.READ, READ_NAME, List.of()), List.of(), validity).write(pki, READ_NAME);
    }

    /** Points {@code nvmesh get} at another instance, when the one its file names has died. */
    static void pointClientAt(Prepared demo, URI server) throws IOException {
        writeClientFile(demo, server);
    }

    private static void writeClientFile(Prepared demo, URI server) throws IOException {
        StringBuilder text = new StringBuilder("# written by nvmesh demo: where nvmesh get/describe/status go by "
                + "default\nserver=" + server + "\ntoken=" + demo.readToken() + "\n");
        ClientTls tls = demo.readerTls();
        if (!tls.isNone()) {
            // The reader's certificate names the same caller as its token (demo-read).
            text.append("cacert=").append(tls.cacert().orElseThrow()).append("\ncert=")
                    .append(tls.cert().orElseThrow()).append("\nkey=").append(tls.key().orElseThrow()).append('\n');
        }
        writePrivate(demo.clientFile(), text.toString());
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

    /**
     * The node ids of a generated simulated fleet, as the simulator names them ({@code SimulatedFleet.create}; a test
     * holds the two together): {@code t-001}... and {@code c-001}..., zero-padded to the wider count, at least three
     * digits.
     */
    public static List<String> generatedNodeIds(int targets, int clients) {
        int width = Math.max(3, Integer.toString(Math.max(targets, clients)).length());
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= targets; i++) {
            ids.add("t-" + String.format("%0" + width + "d", i));
        }
        for (int i = 1; i <= clients; i++) {
            ids.add("c-" + String.format("%0" + width + "d", i));
        }
        return ids;
    }

}
