package io.nvmesh.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The archive this build made ({@code -Dnvmesh.archive}, set by failsafe), unpacked into a temporary folder, and
 * processes run from it the way a user would: a clean environment (no NVMESH_*, no JAVA_HOME, a home of its own),
 * a working folder outside the source tree, every run bounded in time.
 */
final class Distribution {

    /** Generous: the first run of the launcher also writes the class-data archive on a loaded machine. */
    static final Duration RUN_LIMIT = Duration.ofMinutes(2);

    final Path home;
    final Path userHome;

    private Distribution(Path home, Path userHome) {
        this.home = home;
        this.userHome = userHome;
    }

    static Path archive() {
        String archive = System.getProperty("nvmesh.archive");
        if (archive == null) {
            throw new IllegalStateException("-Dnvmesh.archive is not set: run through failsafe (mvn verify)");
        }
        return Path.of(archive);
    }

    static String version() {
        return System.getProperty("nvmesh.version");
    }

    /** Unpacks the archive into {@code dir} with tar, as a user would. */
    static Distribution unpack(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Run tar = run(dir, Map.of("PATH", "/usr/bin:/bin"), Duration.ofMinutes(1), "tar", "xzf",
                archive().toString(), "-C", dir.toString());
        if (tar.exit() != 0) {
            throw new IllegalStateException("tar failed: " + tar.err());
        }
        Path home = dir.resolve("nvmesh-" + version());
        Path userHome = Files.createDirectories(dir.resolve("user-home"));
        return new Distribution(home, userHome);
    }

    Path bin() {
        return home.resolve("bin/nvmesh");
    }

    /** The environment of a user who only unpacked nvmesh: java on the PATH, nothing else of ours. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
        env.put("PATH", javaBin + ":/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", userHome.toString());
        env.put("LANG", "C.UTF-8");
        env.put("TMPDIR", System.getProperty("java.io.tmpdir"));
        return env;
    }

    /** {@code bin/nvmesh args...} in {@code cwd}. */
    Run nvmesh(Path cwd, Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
        Map<String, String> env = env();
        env.putAll(extraEnv);
        List<String> command = new ArrayList<>();
        command.add(bin().toString());
        command.addAll(List.of(args));
        return run(cwd, env, RUN_LIMIT, command.toArray(String[]::new));
    }

    /** A process with exactly {@code env}, its output captured in files (no pipe can fill), bounded by limit. */
    static Run run(Path cwd, Map<String, String> env, Duration limit, String... command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("nvmesh-it", ".out");
        Path err = Files.createTempFile("nvmesh-it", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                throw new IllegalStateException(String.join(" ", command) + " did not end within " + limit
                        + "; output: " + Files.readString(out) + Files.readString(err));
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** What a process did. */
    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
