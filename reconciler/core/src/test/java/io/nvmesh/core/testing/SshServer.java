package io.nvmesh.core.testing;

import io.nvmesh.core.state.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server ({@code /usr/sbin/sshd -D -e}) on a free loopback port, with a host key and one client key
 * that {@code ssh-keygen} makes for it, serving the bare repositories under one folder through {@code
 * git-upload-pack} and {@code git-receive-pack} as any Git host over SSH does. It logs in the user the test runs as
 * (root in CI) with that key only. Everything it uses lives under the folder it is given.
 */
public final class SshServer implements AutoCloseable {

    public static final Path SSHD = Path.of("/usr/sbin/sshd");
    public static final Path SSH_KEYGEN = Path.of("/usr/bin/ssh-keygen");

    private final Process process;
    private final int port;
    private final Path dir;
    private final Path log;

    private SshServer(Process process, int port, Path dir, Path log) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.log = log;
    }

    /**
     * Why this machine cannot run the server, {@code ""} when it can. Tests fail with it rather than skip: CI
     * installs {@code openssh-server} (.ci/run).
     */
    public static String missing() {
        if (!Files.isExecutable(SSHD)) {
            return SSHD + " is missing: install Debian's openssh-server (.ci/run does)";
        }
        if (!Files.isExecutable(SSH_KEYGEN)) {
            return SSH_KEYGEN + " is missing: install Debian's openssh-client";
        }
        return "";
    }

    /** Starts sshd with keys, config and repositories under {@code dir}. */
    public static SshServer start(Path dir) throws IOException {
        if (!missing().isEmpty()) {
            throw new IllegalStateException(missing());
        }
        Files.createDirectories(dir.resolve("repos"));
        Path hostKey = keygen(dir.resolve("ssh_host_ed25519_key"), "host");
        Path clientKey = keygen(dir.resolve("client_ed25519"), "nvmesh-test-client");
        Files.copy(Path.of(clientKey + ".pub"), dir.resolve("authorized_keys"));
        // sshd refuses to start without its privilege separation folder (Debian makes it at boot).
        Files.createDirectories(Path.of("/run/sshd"));
        int port = TestPorts.next();
        Path config = dir.resolve("sshd_config").toAbsolutePath();
        Files.writeString(config, String.join("\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + hostKey.toAbsolutePath(),
                "PidFile none",
                "AuthorizedKeysFile " + dir.resolve("authorized_keys").toAbsolutePath(),
                "StrictModes no", // the temp folder's parents are not the user's home
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "PermitRootLogin prohibit-password",
                "AllowUsers " + user(),
                "MaxStartups 64",
                "LogLevel VERBOSE",
                ""), StandardCharsets.UTF_8);
        Path log = dir.resolve("sshd.log");
        Process p = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        SshServer server = new SshServer(p, port, dir, log);
        try {
            TestPorts.awaitServing(p, port, log, "sshd");
        } catch (RuntimeException | IOException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static String user() {
        return System.getProperty("user.name");
    }

    /** A new ed25519 key pair without a passphrase made by {@code ssh-keygen}: {@code path} and {@code path.pub}. */
    public static Path keygen(Path path, String comment) throws IOException {
        run(List.of(SSH_KEYGEN.toString(), "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path.toString()));
        return path;
    }

    /** The client key the server lets in. */
    public Path clientKey() {
        return dir.resolve("client_ed25519");
    }

    /** A known_hosts file holding the server's real host key for {@code [127.0.0.1]:port}. */
    public Path knownHosts(Path file) throws IOException {
        return knownHostsWith(file, dir.resolve("ssh_host_ed25519_key.pub"));
    }

    /** {@link #knownHosts(Path)} as {@code known_hosts} in the server's folder. */
    public Path knownHosts() throws IOException {
        return knownHosts(dir.resolve("known_hosts"));
    }

    /** A known_hosts file claiming that the server's key is the public key in {@code pub}. */
    public Path knownHostsWith(Path file, Path pub) throws IOException {
        String[] parts = Files.readString(pub).trim().split("\\s+");
        Files.writeString(file, "[127.0.0.1]:" + port + " " + parts[0] + " " + parts[1] + "\n");
        return file;
    }

    /** A new bare repository made by real Git, served as {@code ssh://user@127.0.0.1:port/abs/path/name}. */
    public String createRepository(String name) throws IOException {
        Path repo = path(name);
        run(List.of("git", "init", "--quiet", "--bare", repo.toString()));
        return "ssh://" + user() + "@127.0.0.1:" + port + repo.toAbsolutePath();
    }

    /** The SSH URL of a bare repository made elsewhere, as the user the test runs as reaches it. */
    public String url(Path bareRepository) {
        return "ssh://" + user() + "@127.0.0.1:" + port + bareRepository.toAbsolutePath();
    }

    public Path path(String name) {
        return dir.resolve("repos").resolve(name);
    }

    public int port() {
        return port;
    }

    /** What sshd logged, for a failure message. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }


    private static void run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    /** Stops sshd and every session process it started. */
    @Override
    public void close() {
        ChildJvm.stop(process);
    }
}
