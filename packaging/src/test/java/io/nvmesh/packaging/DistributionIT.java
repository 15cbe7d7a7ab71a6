package io.nvmesh.packaging;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive {@code mvn package} made, unpacked into a temporary folder and run from there with a clean
 * environment: no Maven, no source tree, only a Java runtime on the PATH. The GitOps loop on the shipped samples,
 * the shipped example configurations, the demo (three reconcilers and a simulated fleet from lib/service), and the
 * NOTICE against the jars in lib/.
 */
class DistributionIT {

    @TempDir
    static Path tmp;

    static Distribution dist;

    @BeforeAll
    static void unpack() throws Exception {
        dist = Distribution.unpack(tmp.resolve("unpacked"));
    }

    @Test
    void printsItsVersionWithoutASourceTree() throws Exception {
        Path cwd = Files.createDirectories(tmp.resolve("version"));
        Distribution.Run run = dist.nvmesh(cwd, Map.of(), "--version");
        assertThat(run.exit()).as("%s", run).isZero();
        assertThat(run.out()).startsWith("nvmesh " + Distribution.version() + "\n");
        assertThat(run.err()).as("nothing was built").doesNotContain("building");
        // The class-data archive went to the user's cache, not into the (possibly read-only) installation.
        try (Stream<Path> cached = Files.list(dist.userHome.resolve(".cache/nvmesh"))) {
            assertThat(cached.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".jsa"));
        }
        try (Stream<Path> files = Files.walk(dist.home)) {
            assertThat(files.map(Path::toString)).noneMatch(n -> n.endsWith(".jsa"));
        }
    }

    @Test
    void aMaximumHeapGivenAloneIsAlsoTheHeapItStartsWith() throws Exception {
        Path cwd = Files.createDirectories(tmp.resolve("heap"));
        // MaxRAM fixes the JVM's own starting heap (1/64 of it, 128 MiB) whatever this machine's memory
        String flags = "-XX:MaxRAM=8g -XX:+PrintFlagsFinal ";
        Distribution.Run alone = dist.nvmesh(cwd, Map.of("NVMESH_JAVA_OPTS", flags + "-Xmx1g"), "--version");
        assertThat(alone.exit()).as("%s", alone).isZero();
        assertThat(heapFlag(alone, "InitialHeapSize")).isEqualTo(1L << 30);
        Distribution.Run both = dist.nvmesh(cwd, Map.of("NVMESH_JAVA_OPTS", flags + "-Xms200m -Xmx1g"), "--version");
        assertThat(heapFlag(both, "InitialHeapSize")).as("a starting size given is kept").isEqualTo(200L << 20);
        Distribution.Run none = dist.nvmesh(cwd, Map.of("NVMESH_JAVA_OPTS", flags.strip()), "--version");
        assertThat(heapFlag(none, "InitialHeapSize")).as("no maximum, nothing added").isEqualTo(128L << 20);
    }

    private static long heapFlag(Distribution.Run run, String name) {
        Matcher m = Pattern.compile("\\s" + name + "\\s+=\\s+(\\d+)").matcher(run.out());
        assertThat(m.find()).as("%s in %s", name, run).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void startsWithoutAWritableCache() throws Exception {
        Path cwd = Files.createDirectories(tmp.resolve("no-cache"));
        Distribution.Run run = dist.nvmesh(cwd, Map.of("NVMESH_CACHE_DIR", "/proc/nvmesh-not-writable"), "--version");
        assertThat(run.exit()).as("%s", run).isZero();
        assertThat(run.err()).isEmpty();
    }

    @Test
    void runsTheGitOpsLoopOnTheShippedSamples() throws Exception {
        Path cwd = Files.createDirectories(tmp.resolve("loop"));
        Map<String, String> env = Map.of("NVMESH_REPO", cwd.resolve("desired.git").toString());
        // As the README's loop: the samples in the current folder (apply commits files from inside it).
        CiExamplesIT.copy(dist.home.resolve("samples"), cwd.resolve("samples"));
        String samples = "samples";

        expect(dist.nvmesh(cwd, env, "validate", samples), 0, "");
        expect(dist.nvmesh(cwd, env, "inventory", "import", "samples/inventory/fleet.yaml"), 0, "");
        expect(dist.nvmesh(cwd, env, "apply", samples, "-m", "Sample volumes"), 0, "");
        expect(dist.nvmesh(cwd, env, "diff", samples), 1, "to create");
        expect(dist.nvmesh(cwd, env, "reconcile", "--once"), 0, "");
        expect(dist.nvmesh(cwd, env, "diff", samples), 0, "No changes");
        expect(dist.nvmesh(cwd, env, "fsck"), 0, "");
        expect(dist.nvmesh(cwd, env, "fsck", "--history"), 0, "");
    }

    /**
     * {@code reconciler --config FILE --check} comes with another change (issue 19): once the command has it, the
     * shipped instance configuration must pass it, pointed at this test's repository and folders.
     */
    @Test
    void shippedReconcilerConfigurationPassesTheCheckWhenThereIsOne() throws Exception {
        Path cwd = Files.createDirectories(tmp.resolve("check"));
        Distribution.Run help = dist.nvmesh(cwd, Map.of(), "reconciler", "--help");
        assertThat(help.exit()).isZero();
        org.junit.jupiter.api.Assumptions.assumeTrue(help.out().contains("--check"),
                "nvmesh reconciler has no --check yet");
        Path repo = cwd.resolve("desired.git");
        expect(dist.nvmesh(cwd, Map.of("NVMESH_REPO", repo.toString()), "inventory", "import",
                dist.home.resolve("samples/inventory/fleet.yaml").toString()), 0, "");
        String config = Files.readString(dist.home.resolve("conf/r1.yaml"))
                .replace("/var/lib/nvmesh/r1/desired.git", repo.toString())
                .replace("/var/lib/nvmesh/r1", cwd.resolve("data").toString());
        Path file = cwd.resolve("r1.yaml");
        Files.writeString(file, config);
        expect(dist.nvmesh(cwd, Map.of(), "reconciler", "--config", file.toString(), "--check"), 0, "");
    }

    @Test
    void noticeNamesEveryBundledJar() throws IOException {
        String notice = Files.readString(dist.home.resolve("NOTICE"));
        List<String> jars;
        try (Stream<Path> files = Files.walk(dist.home.resolve("lib"))) {
            jars = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().distinct()
                    .toList();
        }
        assertThat(jars).hasSizeGreaterThan(40);
        for (String jar : jars) {
            assertThat(notice).as("NOTICE names %s with its licence", jar)
                    .containsPattern("(?m)^" + Pattern.quote(jar) + "\\s+\\S.*\\S\\s{2,}\\S");
        }
        assertThat(dist.home.resolve("LICENSE")).content().contains("Apache License");
    }

    /** The command line and the service share one library folder: each jar once, each library in one version. */
    @Test
    void shipsEachLibraryOnceInOneVersion() throws IOException {
        List<Path> jars;
        try (Stream<Path> files = Files.walk(dist.home.resolve("lib"))) {
            jars = files.filter(p -> p.getFileName().toString().endsWith(".jar")).toList();
        }
        assertThat(jars).hasSizeGreaterThan(40);
        assertThat(jars.stream().map(p -> p.getFileName().toString())).doesNotHaveDuplicates();
        assertThat(jars.stream().map(p -> p.getFileName().toString().replaceFirst("(?i)-\\d[^-]*(?=(-[a-z]+)?\\.jar$)", "")))
                .as("library names without their versions").doesNotHaveDuplicates();
        assertThat(jars.stream().map(p -> dist.home.relativize(p.getParent()).toString()).distinct())
                .containsExactlyInAnyOrder("lib", "lib/lib", "lib/service");
    }

    @Test
    void shipsWhatAnOperatorNeeds() {
        for (String file : List.of("bin/nvmesh", "lib/nvmesh-cli.jar", "conf/r1.yaml", "conf/sim.env",
                "systemd/nvmesh-reconciler@.service", "systemd/nvmesh-sim.service", "completion/nvmesh.bash",
                "completion/nvmesh.zsh", "man/man1/nvmesh.1", "man/man1/nvmesh-apply.1", "samples/inventory/fleet.yaml",
                "samples/ci/github-actions.yml", "README.md", "LICENSE", "NOTICE")) {
            assertThat(dist.home.resolve(file)).as(file).isRegularFile();
        }
        assertThat(dist.bin()).isExecutable();
    }

    /**
     * {@code nvmesh demo} from the archive: the service jars in lib/service run three reconcilers and the simulated
     * fleet until the samples are placed. Then the simulator's example settings (conf/sim.env) are run the way
     * nvmesh-sim.service runs them, against the demo's first instance with the demo's agent tokens (the files the
     * example names exist only on an installed machine).
     */
    @Test
    void runsTheDemoAndTheSimulatorAsTheUnitDoes() throws Exception {
        Path cwd = Files.createDirectories(tmp.resolve("demo"));
        Path demoDir = cwd.resolve("demo");
        Map<String, String> env = dist.env();
        env.put("NVMESH_HOME", cwd.resolve("nvmesh-home").toString());
        Path log = cwd.resolve("demo.log");
        // Plain http on loopback (--insecure): what is checked here is that the archive runs the demo, its
        // instances and the simulator unit; the demo's TLS default is cli's DemoTlsTest's.
        Process demo = start(cwd, env, log, dist.bin().toString(), "demo", "--insecure", "--dir",
                demoDir.toString(), "--timeout", "150s");
        try {
            String out = awaitLine(demo, log, "nvmesh demo is running", Duration.ofSeconds(180));
            Matcher first = Pattern.compile("reconciler r1\\s+(http://\\S+)").matcher(out);
            assertThat(first.find()).as("the first instance's URL in:%n%s", out).isTrue();
            Matcher read = Pattern.compile("read token\\s+(\\S+)").matcher(out);
            assertThat(read.find()).isTrue();
            Distribution.Run volumes = dist.nvmesh(cwd, Map.of("NVMESH_SERVER", first.group(1), "NVMESH_TOKEN",
                    read.group(1)), "get", "volumes");
            assertThat(volumes.exit()).as("%s", volumes).isZero();
            assertThat(volumes.out()).contains("online");

            Map<String, String> sim = simulatorSettings();
            sim.put("NVMESH_SIM_CONNECT", first.group(1));
            sim.put("NVMESH_SIM_INVENTORY", dist.home.resolve("samples/inventory/fleet.yaml").toString());
            sim.put("NVMESH_SIM_AGENT_TOKENS", demoDir.resolve("agent-tokens").toString());
            sim.put("NVMESH_SIM_CONTROL", "127.0.0.1:0");
            List<String> command = unitCommand(sim);
            Path simLog = cwd.resolve("sim.log");
            Process simulator = start(cwd, env, simLog, command.toArray(String[]::new));
            try {
                assertThat(awaitLine(simulator, simLog, "control http://", Duration.ofSeconds(90)))
                        .contains("20 targets");
            } finally {
                stop(simulator);
            }
        } finally {
            stop(demo);
        }
    }

    /** conf/sim.env as systemd reads it: KEY=value lines, comments and blank lines skipped. */
    private static Map<String, String> simulatorSettings() throws IOException {
        Map<String, String> settings = new HashMap<>();
        for (String line : Files.readAllLines(dist.home.resolve("conf/sim.env"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            assertThat(eq).as("a KEY=value line: %s", line).isPositive();
            settings.put(line.substring(0, eq), line.substring(eq + 1));
        }
        assertThat(settings).containsOnlyKeys("NVMESH_SIM_CONNECT", "NVMESH_SIM_INVENTORY", "NVMESH_SIM_AGENT_TOKENS",
                "NVMESH_SIM_CONTROL");
        return settings;
    }

    /** The ExecStart= of nvmesh-sim.service with its ${VARIABLES} filled in, run from this archive's bin/. */
    private static List<String> unitCommand(Map<String, String> settings) throws IOException {
        String execStart = Files.readAllLines(dist.home.resolve("systemd/nvmesh-sim.service")).stream()
                .filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow().substring("ExecStart=".length());
        List<String> command = new ArrayList<>();
        for (String word : execStart.trim().split("\\s+")) {
            Matcher variable = Pattern.compile("\\$\\{(\\w+)}").matcher(word);
            if (variable.matches()) {
                assertThat(settings).as("sim.env sets %s", word).containsKey(variable.group(1));
                command.add(settings.get(variable.group(1)));
            } else {
                command.add(word.equals("/usr/bin/nvmesh") ? dist.bin().toString() : word);
            }
        }
        return command;
    }

    private static Process start(Path cwd, Map<String, String> env, Path log, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.start();
    }

    /** The log so far once it holds {@code marker}; fails when the process ends first or the limit passes. */
    private static String awaitLine(Process p, Path log, String marker, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            if (text.contains(marker)) {
                return text;
            }
            if (!p.isAlive()) {
                throw new AssertionError("ended (exit " + p.exitValue() + ") before \"" + marker + "\":\n" + text);
            }
            p.waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("no \"" + marker + "\" within " + limit + ":\n" + Files.readString(log));
    }

    /** SIGTERM (the CLI's shutdown hook stops its children), then the whole tree by force if it lingers. */
    private static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> tree = p.descendants().toList();
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        p.waitFor(30, TimeUnit.SECONDS);
    }

    private static void expect(Distribution.Run run, int exit, String contains) {
        assertThat(run.exit()).as("%s", run).isEqualTo(exit);
        assertThat(run.out()).as("%s", run).contains(contains);
    }
}
