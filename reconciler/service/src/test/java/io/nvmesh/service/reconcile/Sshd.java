package io.nvmesh.service.reconcile;

import static org.awaitility.Awaitility.await;

import io.nvmesh.core.net.LoopbackPorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server on 127.0.0.1 with a host key and one client key {@code ssh-keygen} makes, serving the bare
 * repositories under its folder to the user the test runs as. (The core module has its own, {@code OpenSshServer};
 * test classes do not cross modules.)
 */
final class Sshd implements AutoCloseable {

    static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Process process;
    private final int port;
    private final Path dir;

    private Sshd(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    static Sshd start(Path dir) throws IOException {
        if (!Files.isExecutable(SSHD)) {
            throw new IllegalStateException(SSHD + " is missing: install Debian's openssh-server (.ci/run does)");
        }
        Files.createDirectories(dir);
        Path hostKey = keygen(dir.resolve("ssh_host_ed25519_key"), "host");
        Path client = keygen(dir.resolve("client_ed25519"), "client");
        Files.copy(Path.of(client + ".pub"), dir.resolve("authorized_keys"));
        Files.createDirectories(Path.of("/run/sshd"));
        int port = LoopbackPorts.free();
        Path config = dir.resolve("sshd_config").toAbsolutePath();
        Files.writeString(config, String.join("\n", "Port " + port, "ListenAddress 127.0.0.1",
                "HostKey " + hostKey.toAbsolutePath(), "PidFile none",
                "AuthorizedKeysFile " + dir.resolve("authorized_keys").toAbsolutePath(), "StrictModes no",
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
                "PermitRootLogin prohibit-password", "AllowUsers " + System.getProperty("user.name"), ""));
        Path log = dir.resolve("sshd.log");
        Process p = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Sshd s = new Sshd(p, port, dir);
        try {
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !p.isAlive() || accepts(port));
            if (!p.isAlive()) {
                throw new IOException("sshd exited: " + Files.readString(log));
            }
        } catch (RuntimeException | IOException e) {
            s.close();
            throw e;
        }
        return s;
    }

    static Path keygen(Path path, String comment) throws IOException {
        Process p = new ProcessBuilder(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f",
                path.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("ssh-keygen failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return path;
    }

    Path clientKey() {
        return dir.resolve("client_ed25519");
    }

    Path knownHosts() throws IOException {
        String[] parts = Files.readString(dir.resolve("ssh_host_ed25519_key.pub")).trim().split("\\s+");
        return Files.writeString(dir.resolve("known_hosts"),
                "[127.0.0.1]:" + port + " " + parts[0] + " " + parts[1] + "\n");
    }

    String url(Path bareRepository) {
        return "ssh://" + System.getProperty("user.name") + "@127.0.0.1:" + port + bareRepository.toAbsolutePath();
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
