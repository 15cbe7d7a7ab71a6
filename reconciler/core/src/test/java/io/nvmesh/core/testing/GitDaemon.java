package io.nvmesh.core.testing;

import io.nvmesh.core.state.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real {@code git daemon} on 127.0.0.1 serving the bare repositories under one folder, pushes enabled. */
public final class GitDaemon implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path base;

    private GitDaemon(Process process, int port, Path base) {
        this.process = process;
        this.port = port;
        this.base = base;
    }

    /** True if {@code git} can be run; the tests that need it are skipped otherwise. */
    public static boolean gitAvailable() {
        try {
            return run(Path.of("."), "git", "--version") == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts the daemon on a {@link TestPorts} port and waits (bounded) until it accepts connections. */
    public static GitDaemon start(Path base, Path log) throws IOException {
        int port = TestPorts.next();
        Path daemon = Path.of(output("git", "--exec-path").trim(), "git-daemon");
        List<String> args = new ArrayList<>(Files.isExecutable(daemon) ? List.of(daemon.toString())
                : List.of("git", "daemon"));
        args.addAll(List.of("--reuseaddr", "--base-path=" + base, "--export-all", "--enable=receive-pack",
                "--listen=127.0.0.1", "--port=" + port, base.toString()));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        GitDaemon d = new GitDaemon(p, port, base);
        try {
            TestPorts.awaitServing(p, port, log, "git daemon");
        } catch (RuntimeException | IOException e) {
            d.close();
            throw e;
        }
        return d;
    }

    /** A new bare repository made by real Git, served as {@code git://127.0.0.1:port/name}. */
    public String createRepository(String name) throws IOException {
        if (run(base, "git", "init", "--quiet", "--bare", base.resolve(name).toString()) != 0) {
            throw new IOException("git init --bare " + name + " failed");
        }
        return url(name);
    }

    /**
     * As {@link #createRepository}, with the reflog kept for every ref (receive-pack writes none in a bare repository
     * by default), so a test can see every move of the state ref.
     */
    public String createRepositoryKeepingReflog(String name) throws IOException {
        String url = createRepository(name);
        if (run(base, "git", "--git-dir", path(name).toString(), "config", "core.logAllRefUpdates", "always") != 0) {
            throw new IOException("git config core.logAllRefUpdates in " + name + " failed");
        }
        return url;
    }

    public String url(String name) {
        return "git://127.0.0.1:" + port + "/" + name;
    }

    public Path path(String name) {
        return base.resolve(name);
    }

    /** The daemon's process, for a test that accounts for every process it started. */
    public Process process() {
        return process;
    }

    public int port() {
        return port;
    }


    private static int run(Path dir, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return -1;
        }
    }

    private static String output(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    @Override
    public void close() {
        ChildJvm.stop(process);
    }
}
