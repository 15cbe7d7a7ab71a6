package io.nvmesh.service;

import io.nvmesh.core.testing.TestPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Not a unit test: a scenario runner that prints a table. Three reconciler instances as real JVM processes
 * ({@code ReconcilerMain}, started as {@code nvmesh demo} starts them: this JVM's java, {@code NVMESH_JVM_FLAGS}, the
 * service classpath) and a simulated fleet process ({@code SimMain}) of 1,000 targets and 1,000 clients, on loopback,
 * with the production defaults (heartbeat 500 ms, dead after 3 missed, ε 0.25). Once every node is connected to its
 * owner and the cluster has run for a while, it records per instance: connections, heap (after the last GC, from
 * {@code GET /v1/instance}), resident memory ({@code VmRSS} of {@code /proc/<pid>/status}) and CPU over a steady-state
 * window ({@code utime + stime} of {@code /proc/<pid>/stat}, as % of one core). Then it stops one instance with
 * SIGSTOP (a silent failure: its sockets stay open, nothing answers) and measures how long until every orphaned node
 * is connected to a survivor (from the survivors' {@code connectedSinceMillis}) and which nodes moved; resumes it with
 * SIGCONT and waits until every node is back at its owner; then kills it with SIGKILL (a crash: its sockets close at
 * once) and measures the same. One run per victim (r1, r2, r3 in turn).
 *
 * <pre>
 * bench/failover.sh [RUNS] [TARGETS] [CLIENTS]
 * </pre>
 *
 * Every child is killed when a run ends, fails or this JVM is stopped (try/finally plus a shutdown hook); every wait
 * is bounded. Arguments: {@code [runs] [output file] [targets] [clients]} (1,000 and 1,000 by default).
 */
public final class ProcessFailoverScenario {

    // The fleet's size, from the arguments (1,000 + 1,000 by default); set once in main, before anything runs.
    private static int TARGETS = 1_000;
    private static final int DRIVES = 8;
    private static int CLIENTS = 1_000;
    private static int NODES = TARGETS + CLIENTS;
    /** 120 s for 2,000 nodes; a larger fleet connects proportionally longer on two cores. */
    private static Duration START_BOUND = Duration.ofSeconds(120);
    private static final Duration FAILOVER_BOUND = Duration.ofSeconds(60);
    /** Let the JIT and the agents' first reports settle before measuring CPU. */
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Duration CPU_WINDOW = Duration.ofSeconds(10);
    private static final String READ = TestAuth.READ;
    private static final String ADMIN = TestAuth.ADMIN;
    private static final String AGENT = TestAuth.AGENT;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<Process> children = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final long clockTicks = clockTicks();
    private volatile Path runDir;
    private volatile String lastSeen = "";

    private ProcessFailoverScenario() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path file = Path.of(args.length > 1 ? args[1] : "reconciler/service/target/failover-scenario.md");
        if (args.length > 2) {
            TARGETS = Integer.parseInt(args[2]);
            CLIENTS = args.length > 3 ? Integer.parseInt(args[3]) : TARGETS;
            NODES = TARGETS + CLIENTS;
            START_BOUND = Duration.ofSeconds(Math.max(120, 60L * NODES / 1_000));
        }
        ProcessFailoverScenario scenario = new ProcessFailoverScenario();
        Thread hook = new Thread(scenario::killAll, "scenario-kill-children");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = 0;
        try {
            code = scenario.runAll(runs, file);
        } finally {
            scenario.killAll();
        }
        System.exit(code);
    }

    private int runAll(int runs, Path file) throws IOException, InterruptedException {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Failover with real processes: 3 reconciler JVMs + 1 simulated fleet JVM "
                + "(%,d targets x %d drives + %,d clients), loopback, heartbeat 500 ms, dead after 3 missed, "
                + "eps 0.25; per run one instance is stopped with SIGSTOP (silent failure), resumed with SIGCONT once its nodes "
                + "failed over, and then killed with SIGKILL (crash).%n", TARGETS, DRIVES, CLIENTS));
        out.append("Instance JVM flags: ").append(String.join(" ", instanceFlags())).append('\n');
        out.append("Started ").append(Instant.now()).append(", load average ").append(loadAverage()).append("\n\n");
        out.append("| run | victim | all connected after start | nodes per instance (targets+clients) | max/avg "
                + "| heap after GC per instance | RSS per instance | CPU per instance (steady, % of a core) "
                + "| fleet CPU | crash (SIGKILL): dead declared, orphans reconnected p50 / p90 / max, moved "
                + "| silent (SIGSTOP): the same |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        System.out.print(out);
        boolean allMet = true;
        List<Row> rows = new ArrayList<>();
        List<String> victims = List.of("r1", "r2", "r3");
        for (int i = 0; i < runs; i++) {
            Path dir = Files.createTempDirectory("nvmesh-failover-" + (i + 1) + "-");
            String line;
            try {
                Row row = run(i + 1, victims.get(i % 3), dir);
                line = row.markdown();
                System.out.println("run " + row.run() + ": " + row.perReport());
                rows.add(row);
                allMet &= row.maxOverAvg <= 1.25 && row.crash.reconnectMax <= 1_000 && row.silent.reconnectMax <= 3_000
                        && row.crash.movedBetweenSurvivors == 0 && row.silent.movedBetweenSurvivors == 0;
            } catch (IllegalStateException e) {
                // A run that does not reach its steady state or its failover in time is a result too: say so.
                line = "| " + (i + 1) + " | " + victims.get(i % 3) + " | failed: " + e.getMessage() + " |";
                allMet = false;
            } finally {
                killAll();
            }
            System.out.println(line);
            out.append(line).append('\n');
        }
        out.append('\n');
        rows.forEach(r -> out.append("Run ").append(r.run()).append(", ").append(r.perReport()).append('\n'));
        out.append('\n').append(summary("crash (SIGKILL)", rows.stream().map(Row::crash).toList()));
        out.append(summary("silent (SIGSTOP)", rows.stream().map(Row::silent).toList()));
        out.append("\nFinished ").append(Instant.now()).append(", load average ").append(loadAverage())
                .append("; targets: max/avg <= 1.25, every orphan reconnected <= 1 s after a crash and <= 3 s after "
                        + "a SIGSTOP, only the victim's nodes move: ").append(allMet ? "met" : "NOT met").append('\n');
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, out.toString());
        System.out.println("\n" + out.substring(out.lastIndexOf("Finished")) + "written to " + file);
        return 0;
    }

    private record Row(int run, String victim, long connectMillis, Map<String, int[]> connections, double maxOverAvg,
                       Map<String, Long> heapAfterGc, Map<String, Long> rss, Map<String, Double> cpu, double fleetCpu,
                       Failover crash, Failover silent, String perReport) {

        String markdown() {
            StringBuilder conn = new StringBuilder();
            connections.forEach((id, c) -> conn.append(conn.length() == 0 ? "" : ", ").append(id).append(' ')
                    .append(c[0] + c[1]).append(" (").append(c[0]).append('+').append(c[1]).append(')'));
            return String.format(Locale.ROOT, "| %d | %s | %.1f s | %s | %.2f | %s | %s | %s | %.0f %% | %s | %s |",
                    run, victim, connectMillis / 1000.0, conn, maxOverAvg, join(heapAfterGc, v -> mib(v)),
                    join(rss, v -> mib(v)), join(cpu, v -> String.format(Locale.ROOT, "%.0f %%", v)), fleetCpu,
                    cell(crash), cell(silent));
        }

        private static String cell(Failover f) {
            return String.format(Locale.ROOT, "%sdead after %d ms; orphans %d / %d / **%d ms**; moved %d of %d "
                    + "(orphans %d), %d between survivors", f.refusedMillis < 0 ? "" : "port refused after "
                    + f.refusedMillis + " ms, ", f.deadMillis, f.reconnectP50, f.reconnectP90,
                    f.reconnectMax, f.moved, NODES, f.orphans, f.movedBetweenSurvivors);
        }

        private static <V> String join(Map<String, V> m, java.util.function.Function<V, String> f) {
            StringBuilder sb = new StringBuilder();
            m.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(f.apply(v)));
            return sb.toString();
        }

        private static String mib(long bytes) {
            return (bytes >> 20) + " MiB";
        }
    }

    private Row run(int run, String victim, Path dir) throws IOException, InterruptedException {
        runDir = dir;
        Map<String, URI> urls = new LinkedHashMap<>();
        java.util.Iterator<Integer> ports = TestPorts.next(3).iterator();
        for (String id : List.of("r1", "r2", "r3")) {
            urls.put(id, URI.create("http://127.0.0.1:" + ports.next()));
        }
        Map<String, Process> instances = new LinkedHashMap<>();
        for (String id : urls.keySet()) {
            Path config = writeConfig(dir, id, urls);
            instances.put(id, start(dir, id, List.of("io.nvmesh.service.ReconcilerMain", "--config",
                    config.toString()), Map.of()));
        }
        await("3 instances see each other", START_BOUND, () -> urls.values().stream()
                .allMatch(u -> get(u, "/v1/cluster").map(c -> c.get("live").size() == 3).orElse(false)));

        long t0 = System.nanoTime();
        Process fleet = start(dir, "sim", List.of("io.nvmesh.service.sim.SimMain", "--connect",
                String.join(",", urls.values().stream().map(URI::toString).toList()), "--targets",
                Integer.toString(TARGETS), "--drives", Integer.toString(DRIVES), "--clients", Integer.toString(CLIENTS),
                "--control", "127.0.0.1:0"), Map.of("NVMESH_AGENT_TOKEN", AGENT));
        Map<String, int[]> connections = new TreeMap<>();
        await("every node connected", START_BOUND, () -> {
            connections.clear();
            urls.forEach((id, u) -> selfAgents(u).ifPresent(c -> connections.put(id, c)));
            lastSeen = "connected " + connected(connections);
            return connections.size() == 3 && connections.values().stream().mapToInt(c -> c[0] + c[1]).sum() == NODES;
        });
        long connectMillis = (System.nanoTime() - t0) / 1_000_000;

        TimeUnit.MILLISECONDS.sleep(SETTLE.toMillis());
        profile(instances, fleet);
        Map<String, Long> reportsBefore = new TreeMap<>();
        urls.forEach((id, u) -> reportsBefore.put(id, reportsHeard(u)));
        Map<String, Long> cpuBefore = new TreeMap<>();
        instances.forEach((id, p) -> cpuBefore.put(id, cpuTicks(p)));
        long fleetBefore = cpuTicks(fleet);
        long w0 = System.nanoTime();
        TimeUnit.MILLISECONDS.sleep(CPU_WINDOW.toMillis());
        double seconds = (System.nanoTime() - w0) / 1e9;
        Map<String, Double> cpu = new TreeMap<>();
        instances.forEach((id, p) -> cpu.put(id, 100.0 * (cpuTicks(p) - cpuBefore.get(id)) / clockTicks / seconds));
        double fleetCpu = 100.0 * (cpuTicks(fleet) - fleetBefore) / clockTicks / seconds;
        // The work done, not only the time taken: on a loaded machine a starved instance hears fewer reports.
        StringBuilder perReport = new StringBuilder("reports heard in the window, and CPU per 1,000 of them:");
        urls.forEach((id, u) -> {
            long heard = reportsHeard(u) - reportsBefore.get(id);
            perReport.append(String.format(Locale.ROOT, " %s %,d (%.0f/s) %.0f ms;", id, heard, heard / seconds,
                    heard <= 0 ? 0 : cpu.get(id) * seconds * 10_000 / heard));
        });
        // Said now: a failover that fails later ends the run without its row.
        System.out.println("steady: CPU per instance " + cpu + " % of a core, fleet " + Math.round(fleetCpu) + " %; "
                + perReport);
        Map<String, Long> heap = new TreeMap<>();
        Map<String, Long> rss = new TreeMap<>();
        urls.forEach((id, u) -> heap.put(id, get(u, "/v1/instance").map(i -> i.get("heapAfterGcBytes").asLong())
                .orElse(-1L)));
        instances.forEach((id, p) -> rss.put(id, rssBytes(p)));
        connections.clear();
        urls.forEach((id, u) -> selfAgents(u).ifPresent(c -> connections.put(id, c)));
        double avg = NODES / 3.0;
        double maxOverAvg = connections.values().stream().mapToInt(c -> c[0] + c[1]).max().orElse(0) / avg;
        Map<String, String> before = owners(urls.values());
        if (before.size() != NODES) {
            throw new IllegalStateException("expected " + NODES + " connected nodes before the kill, found "
                    + before.size());
        }

        List<URI> survivors = new ArrayList<>();
        urls.forEach((id, u) -> {
            if (!id.equals(victim)) {
                survivors.add(u);
            }
        });
        Process victimProcess = instances.get(victim);
        // Silent first: SIGSTOP, the survivors take over, SIGCONT, everything goes back where it was; then SIGKILL.
        URI victimUrl = urls.get(victim);
        Failover silent = failover(victim, victimUrl, survivors, before, () -> signal(victimProcess, "STOP"));
        signal(victimProcess, "CONT");
        await("every node back at its owner after SIGCONT", START_BOUND, () -> {
            Map<String, int[]> now = new TreeMap<>();
            urls.forEach((id, u) -> selfAgents(u).ifPresent(c -> now.put(id, c)));
            lastSeen = "connected " + connected(now);
            return urls.values().stream().allMatch(u -> get(u, "/v1/cluster").map(c -> c.get("live").size() == 3)
                    .orElse(false)) && owners(urls.values()).equals(before);
        });
        Failover crash = failover(victim, victimUrl, survivors, before, victimProcess::destroyForcibly);
        return new Row(run, victim, connectMillis, new TreeMap<>(connections), maxOverAvg, heap, rss, cpu, fleetCpu,
                crash, silent, perReport.toString());
    }

    /** One failover: what {@code stop} did to the victim until every orphan is at a survivor. */
    private record Failover(long refusedMillis, long deadMillis, long reconnectP50, long reconnectP90, long reconnectMax, int orphans,
                            int moved, int movedBetweenSurvivors) {
    }

    private Failover failover(String victim, URI victimUrl, List<URI> survivors, Map<String, String> before,
                              Runnable stop) throws InterruptedException {
        long stoppedAt = System.currentTimeMillis();
        long k0 = System.nanoTime();
        stop.run();
        System.out.println("stopped " + victim + " at " + stoppedAt);
        // When the victim's port starts refusing connections: the kernel closes a killed process's sockets only once
        // it has torn the process down, and no survivor or agent can learn of the death before that.
        long[] refusedNanos = {-1};
        Thread watch = new Thread(() -> {
            while (refusedNanos[0] < 0 && System.nanoTime() - k0 < FAILOVER_BOUND.toNanos()) {
                try (java.net.Socket probe = new java.net.Socket()) {
                    probe.connect(new java.net.InetSocketAddress(victimUrl.getHost(), victimUrl.getPort()), 100);
                } catch (java.net.ConnectException e) {
                    refusedNanos[0] = System.nanoTime() - k0;
                    return;
                } catch (IOException e) {
                    // a timeout: a stopped process's kernel queues the connection; keep looking
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "scenario-port-watch");
        watch.setDaemon(true);
        watch.start();
        long[] deadNanos = {-1};
        await("every orphan at its new owner", FAILOVER_BOUND, () -> {
            if (deadNanos[0] < 0 && survivors.stream().allMatch(u -> get(u, "/v1/cluster")
                    .map(c -> !contains(c.get("live"), victim)).orElse(false))) {
                deadNanos[0] = System.nanoTime() - k0;
            }
            Map<String, int[]> now = new TreeMap<>();
            for (URI u : survivors) {
                now.put(u.toString(), selfAgents(u).orElse(new int[2]));
            }
            lastSeen = (deadNanos[0] < 0 ? "victim not yet declared dead; " : "") + "connected " + connected(now);
            return deadNanos[0] >= 0 && now.values().stream().mapToInt(c -> c[0] + c[1]).sum() == NODES;
        });
        Map<String, Long> connectedSince = new HashMap<>();
        Map<String, String> after = owners(survivors, connectedSince);
        List<Long> reconnect = new ArrayList<>();
        int moved = 0;
        int movedBetweenSurvivors = 0;
        for (Map.Entry<String, String> e : before.entrySet()) {
            String now = after.get(e.getKey());
            if (e.getValue().equals(victim)) {
                reconnect.add(connectedSince.getOrDefault(e.getKey(), Long.MAX_VALUE) - stoppedAt);
            }
            if (!e.getValue().equals(now)) {
                moved++;
                if (!e.getValue().equals(victim)) {
                    movedBetweenSurvivors++;
                }
            }
        }
        reconnect.sort(null);
        watch.interrupt();
        Map<String, List<Long>> byOwnerKind = new TreeMap<>();
        before.forEach((key, owner) -> {
            if (owner.equals(victim)) {
                byOwnerKind.computeIfAbsent(after.get(key) + " " + key.substring(0, key.indexOf('/')),
                        k -> new ArrayList<>()).add(connectedSince.getOrDefault(key, Long.MAX_VALUE) - stoppedAt);
            }
        });
        byOwnerKind.forEach((k, v) -> {
            v.sort(null);
            System.out.println("  " + k + ": " + v.size() + " min " + v.get(0) + " p50 " + v.get(v.size() / 2)
                    + " max " + v.get(v.size() - 1));
        });
        System.out.println("reconnect ms (every 25th): " + java.util.stream.IntStream.range(0, reconnect.size())
                .filter(i -> i % 25 == 0 || i == reconnect.size() - 1).mapToObj(i -> reconnect.get(i).toString())
                .collect(java.util.stream.Collectors.joining(" ")));
        return new Failover(refusedNanos[0] < 0 ? -1 : refusedNanos[0] / 1_000_000, deadNanos[0] / 1_000_000, percentile(reconnect, 50), percentile(reconnect, 90),
                reconnect.isEmpty() ? 0 : reconnect.get(reconnect.size() - 1), reconnect.size(), moved,
                movedBetweenSurvivors);
    }

    /**
     * With {@code SCENARIO_JFR=DIR}: a flight recording of every child over the steady-state window, as {@code
     * DIR/<run>-<child>.jfr} ({@code jcmd}, started before the window, so the attach is not measured; the recording
     * itself is).
     */
    private void profile(Map<String, Process> instances, Process fleet) throws IOException, InterruptedException {
        String dir = System.getenv("SCENARIO_JFR");
        if (dir == null || dir.isBlank()) {
            return;
        }
        Map<String, Process> all = new LinkedHashMap<>(instances);
        all.put("sim", fleet);
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        for (Map.Entry<String, Process> e : all.entrySet()) {
            Path file = Path.of(dir).toAbsolutePath().resolve(runDir.getFileName() + "-" + e.getKey() + ".jfr");
            Process j = new ProcessBuilder(jcmd, Long.toString(e.getValue().pid()), "JFR.start", "settings=profile",
                    "duration=" + CPU_WINDOW.toSeconds() + "s", "filename=" + file).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!j.waitFor(30, TimeUnit.SECONDS)) {
                j.destroyForcibly();
            }
        }
    }

    /** {@code kill -SIG pid}: Java has no SIGSTOP or SIGCONT of its own. */
    private static void signal(Process p, String sig) {
        try {
            Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start();
            if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
                throw new IllegalStateException("kill -" + sig + " " + p.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** min / median / max over the runs of the slowest orphan and of the death declaration. */
    private static String summary(String kind, List<Failover> runs) {
        if (runs.isEmpty()) {
            return "";
        }
        List<Long> max = runs.stream().map(Failover::reconnectMax).sorted().toList();
        List<Long> dead = runs.stream().map(Failover::deadMillis).sorted().toList();
        List<Long> p50 = runs.stream().map(Failover::reconnectP50).sorted().toList();
        return String.format(Locale.ROOT, "%s over %d run(s): slowest orphan min / median / max %d / %d / %d ms; "
                        + "orphans p50 %d / %d / %d ms; dead declared %d / %d / %d ms%n", kind, runs.size(),
                max.get(0), max.get(max.size() / 2), max.get(max.size() - 1), p50.get(0), p50.get(p50.size() / 2),
                p50.get(p50.size() - 1), dead.get(0), dead.get(dead.size() / 2), dead.get(dead.size() - 1));
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0
                * sorted.size()) - 1));
    }

    /** The nodes connected to these instances, by ownership key, with their owner. */
    private Map<String, String> owners(Iterable<URI> instances) {
        return owners(instances, new HashMap<>());
    }

    private Map<String, String> owners(Iterable<URI> instances, Map<String, Long> connectedSince) {
        Map<String, String> owners = new HashMap<>();
        for (URI u : instances) {
            for (String kind : List.of("targets", "clients")) {
                JsonNode list = get(u, "/v1/" + kind).orElseThrow(() -> new IllegalStateException(u + " did not "
                        + "answer /v1/" + kind));
                for (JsonNode n : list.get("items")) {
                    if (n.get("connected").asBoolean()) {
                        String key = kind + "/" + n.get("id").asString();
                        owners.put(key, n.get("owner").asString());
                        connectedSince.put(key, n.get("connectedSinceMillis").asLong());
                    }
                }
            }
        }
        return owners;
    }

    /** Reports heard on the current connections of the nodes connected to this instance (from its node lists). */
    private long reportsHeard(URI u) {
        long sum = 0;
        for (String kind : List.of("targets", "clients")) {
            JsonNode list = get(u, "/v1/" + kind).orElse(null);
            if (list != null) {
                for (JsonNode n : list.get("items")) {
                    sum += n.path("reports").asLong();
                }
            }
        }
        return sum;
    }

    /** What the instance says about its own agents: {targets, clients}. */
    private java.util.Optional<int[]> selfAgents(URI u) {
        return get(u, "/v1/cluster").flatMap(c -> {
            for (JsonNode m : c.get("members")) {
                if (m.get("self").asBoolean()) {
                    JsonNode a = m.get("agents");
                    return java.util.Optional.of(new int[] {a.path("targets").asInt(), a.path("clients").asInt()});
                }
            }
            return java.util.Optional.empty();
        });
    }

    private static String connected(Map<String, int[]> byInstance) {
        StringBuilder sb = new StringBuilder();
        byInstance.forEach((id, c) -> sb.append(sb.length() == 0 ? "" : ", ").append(id).append(' ').append(c[0] + c[1]));
        return sb.append(" of ").append(NODES).toString();
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode n : array) {
            if (n.asString().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private java.util.Optional<JsonNode> get(URI base, String path) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + READ).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            return r.statusCode() == 200 ? java.util.Optional.of(JSON.readTree(r.body())) : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void await(String what, Duration bound, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        lastSeen = "";
        while (!condition.getAsBoolean()) {
            for (Process p : children) {
                if (!p.isAlive() && p.exitValue() != 137 && p.exitValue() != 143) {
                    throw new IllegalStateException("a child exited with code " + p.exitValue() + " while waiting "
                            + "for: " + what + " (see the logs in " + runDir + ")");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + bound.toSeconds() + " s: " + what + " (last seen: "
                        + lastSeen + "; load average " + loadAverage() + ")");
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private Process start(Path dir, String name, List<String> mainAndArgs, Map<String, String> env)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(instanceFlags());
        cmd.add("-cp");
        // Absolute: the child runs in the run's own folder.
        cmd.add(Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator)));
        cmd.addAll(mainAndArgs);
        ProcessBuilder b = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        b.environment().putAll(env);
        Process p = b.start();
        children.add(p);
        return p;
    }

    /**
     * As the launcher passes them to the demo's children: {@code NVMESH_JVM_FLAGS} (the Chronicle flags), then
     * {@code SCENARIO_JVM_OPTS} if set (e.g. {@code -XX:+UseSerialGC -Xmx512m}, to compare).
     */
    private static List<String> instanceFlags() {
        String flags = (System.getenv().getOrDefault("NVMESH_JVM_FLAGS", "") + " "
                + System.getenv().getOrDefault("SCENARIO_JVM_OPTS", "")).trim();
        return flags.isEmpty() ? List.of() : Arrays.asList(flags.split("\\s+"));
    }

    private static Path writeConfig(Path dir, String id, Map<String, URI> urls) throws IOException {
        StringBuilder y = new StringBuilder();
        y.append("id: ").append(id).append("\nlisten: 127.0.0.1:").append(urls.get(id).getPort())
                .append("\ndataDir: data/").append(id).append("\npeers:\n");
        urls.forEach((other, u) -> {
            if (!other.equals(id)) {
                y.append("  - id: ").append(other).append("\n    url: ").append(u).append('\n');
            }
        });
        TestAuth.writeFiles(dir, urls.keySet());
        y.append(TestAuth.authYaml(id));
        // The whole simulated fleet dials from 127.0.0.1, one address: the per-source connection limit (2,000 by
        // default, for many real hosts) would refuse the agents beyond it. It refused the orphans of a failover at
        // 2,500 + 2,500 (two survivors, 2,500 nodes each), which looked like a failover that never finished.
        y.append("limits:\n  connectionsPerSource: ").append(TARGETS + CLIENTS + 1_000).append('\n');
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(file, y.toString());
        return file;
    }

    /** SIGKILL to every child still running, and wait for each (bounded). Idempotent. */
    private void killAll() {
        for (Process p : children) {
            p.destroyForcibly();
        }
        for (Process p : children) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        children.clear();
    }

    /** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat, after the command name). */
    private static long cpuTicks(Process p) {
        try {
            String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of " + p.pid(), e);
        }
    }

    private static long rssBytes(Process p) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(s);
        } catch (IOException | NumberFormatException | InterruptedException e) {
            return 100;
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

}
