package io.nvmesh.cli.demo;

import io.nvmesh.api.ClusterJson;
import io.nvmesh.api.HealthJson;
import io.nvmesh.api.VolumeListJson;
import io.nvmesh.cli.process.ChildProcesses;
import io.nvmesh.cli.process.ServiceJars;
import io.nvmesh.cli.remote.ServerAddress;
import io.nvmesh.cli.remote.ServerClient;
import io.nvmesh.cli.remote.ServerException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Starts a prepared demo's instances and fleet as child processes (output to {@code logs/}), waits until the samples
 * are reconciled, saying how far it got, then keeps them running until this JVM is stopped. A reconciler that dies
 * after start-up leaves the others running: the runner says so, and says when the survivors serve its nodes.
 */
public final class DemoRunner {

    /** The simulated fleet: the sample inventory, or a generated one of this size. */
    public record Fleet(Path inventory, int targets, int drives, int clients) {
    }

    private final DemoSetup.Prepared demo;
    private final ServiceJars jars;
    private final PrintWriter out;
    private final DemoChildren children;
    private final Map<String, ServerClient> clients = new LinkedHashMap<>();
    /** How long start-up, and later a take-over, may take. */
    private Duration timeout = Duration.ofMinutes(2);
    /** The reconcilers whose nodes are moving, and since when; empty when none are. */
    private final List<String> takingOver = new ArrayList<>();
    private long takeOverSince;
    /** The instance {@code client.properties} names. */
    private String clientServer;
    /** What the simulator's fault control asks for; given to it in its environment, so no log or ps shows it. */
    private final String simControlToken = simControlToken();

    /**
     * Four JVMs share the user's machine (a laptop, a 2-core VM): with G1 and C2 they starve each other's heartbeats
     * and a failover takes up to 10 s instead of 2-3 s (bench/failover.sh, docs/BENCHMARKS.md). The serial collector,
     * C1 only and a capped heap keep each child at about a fifth of a core. A real deployment runs
     * {@code nvmesh reconciler}, which keeps the JVM's defaults.
     */
    static final List<String> CHILD_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx512m");

    public DemoRunner(DemoSetup.Prepared demo, ServiceJars jars, ChildProcesses children, PrintWriter out) {
        this.demo = demo;
        this.jars = jars.withMoreFlags(CHILD_FLAGS);
        this.children = new DemoChildren(children);
        this.out = out;
        this.clientServer = demo.urls().keySet().iterator().next();
    }

    /**
     * Starts every reconciler, waits for their health checks, then starts the fleet. Any child that exits before that
     * fails the start.
     *
     * @param timeout how long the instances may take to answer, and later how long a take-over may take
     */
    public void start(Fleet fleet, Duration timeout) throws InterruptedException {
        this.timeout = timeout;
        for (Map.Entry<String, Path> e : demo.configs().entrySet()) {
            ProcessBuilder b = new ProcessBuilder(jars.command(ServiceJars.RECONCILER_MAIN,
                    List.of("--config", e.getValue().toString())));
            b.directory(demo.dir().toFile());
            Process p = children.start(DemoChildren.Role.RECONCILER, e.getKey(), b,
                    demo.logs().resolve(e.getKey() + ".log"));
            // The pid, so that a user can kill -9 one and watch the others take over.
            out.println("started reconciler " + e.getKey() + " (pid " + p.pid() + ") at " + demo.urls().get(e.getKey())
                    + "  (log: " + demo.logs().resolve(e.getKey() + ".log") + ")");
        }
        out.flush();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<String, URI> e : demo.urls().entrySet()) {
            ServerClient c = client(e.getKey());
            while (true) {
                try {
                    c.get("/healthz", HealthJson.class);
                    break;
                } catch (ServerException ex) {
                    List<DemoChildren.Exit> exited = children.exited();
                    if (!exited.isEmpty()) {
                        throw new IllegalStateException("the demo could not start: " + exited.get(0).message());
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("reconciler " + e.getKey() + " did not answer within "
                                + timeout.toSeconds() + "s; see " + demo.logs().resolve(e.getKey() + ".log"));
                    }
                    TimeUnit.MILLISECONDS.sleep(200);
                }
            }
        }
        List<String> args = new ArrayList<>(List.of("--connect", demo.urls().values().stream().map(URI::toString)
                .collect(Collectors.joining(",")), "--control", "127.0.0.1:0"));
        if (fleet.inventory() != null) {
            args.addAll(List.of("--inventory", fleet.inventory().toString()));
        } else {
            args.addAll(List.of("--targets", Integer.toString(fleet.targets()), "--drives",
                    Integer.toString(fleet.drives()), "--clients", Integer.toString(fleet.clients())));
        }
        if (demo.tls()) {
            // Each node presents its own certificate, as a real host would; no token is handed to the simulator.
            args.addAll(List.of("--cacert", demo.pki().resolve("ca.pem").toString(), "--agent-certs",
                    demo.agentCertificates().toString()));
        } else {
            args.addAll(List.of("--agent-tokens", demo.agentTokens().toString()));
        }
        ProcessBuilder sim = new ProcessBuilder(jars.command(ServiceJars.SIM_MAIN, args));
        sim.environment().put("NVMESH_SIM_CONTROL_TOKEN", simControlToken); // not on the command line: ps shows it
        sim.directory(demo.dir().toFile());
        children.start(DemoChildren.Role.FLEET, "sim", sim, demo.logs().resolve("sim.log"));
        out.println("started simulated fleet " + (fleet.inventory() != null ? "from " + fleet.inventory()
                : fleet.targets() + " targets x " + fleet.drives() + " drives, " + fleet.clients() + " clients")
                + "  (log: " + demo.logs().resolve("sim.log") + ")");
        out.flush();
    }

    /** The bearer token of the simulator's fault control ({@code curl -H 'Authorization: Bearer ...'}). */
    public String controlToken() {
        return simControlToken;
    }

    private static String simControlToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * Polls a running instance until every sample volume is recorded and none is pending or initializing (served by
     * its targets), printing a line whenever the counts change.
     *
     * @return whether that happened within {@code timeout}
     * @throws IllegalStateException when the fleet or the last reconciler exited
     */
    public boolean awaitReconciled(Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            watch();
            try {
                VolumeListJson body = client(children.reconcilers().get(0)).get("/v1/volumes", VolumeListJson.class);
                Map<String, Integer> byStatus = new TreeMap<>();
                body.items().forEach(v -> byStatus.merge(v.status(), 1, Integer::sum));
                int recorded = byStatus.values().stream().mapToInt(Integer::intValue).sum();
                // Initializing: placed, but the targets have not acked serving it yet.
                int pending = byStatus.getOrDefault("pending", 0) + byStatus.getOrDefault("initializing", 0);
                String line = recorded + "/" + demo.volumes() + " volumes recorded " + byStatus;
                if (!line.equals(last)) {
                    out.printf("  %5.1fs  %s%n", (System.nanoTime() - start) / 1e9, line);
                    out.flush();
                    last = line;
                }
                if (recorded >= demo.volumes() && pending == 0) {
                    return true;
                }
            } catch (ServerException e) {
                // starting up: the state ref may not exist yet
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        return false;
    }

    /**
     * Blocks until this JVM is stopped (Ctrl-C), saying when a reconciler exits and when the survivors have taken
     * over its nodes.
     *
     * @throws IllegalStateException when the fleet or the last reconciler exited
     */
    public void runUntilStopped() throws InterruptedException {
        while (true) {
            watch();
            TimeUnit.SECONDS.sleep(1);
        }
    }

    /** Says which children exited and how the survivors' take-over goes; ends the demo when it cannot go on. */
    private void watch() {
        for (DemoChildren.Exit exit : children.exited()) {
            out.println(exit.message());
            out.flush();
            if (exit.endsDemo()) {
                throw new IllegalStateException(exit.role() == DemoChildren.Role.FLEET
                        ? "the simulated fleet exited, so the demo stops; see " + exit.log()
                        : "every reconciler has exited, so the demo stops; see the logs in " + demo.logs());
            }
            if (exit.name().equals(clientServer)) {
                pointClientAt(exit.survivors().get(0));
            }
            if (takingOver.isEmpty()) {
                takeOverSince = System.nanoTime();
            }
            takingOver.add(exit.name());
        }
        if (takingOver.isEmpty()) {
            return;
        }
        Map<String, Optional<ClusterJson>> answers = new LinkedHashMap<>();
        for (String id : children.reconcilers()) {
            try {
                answers.put(id, Optional.of(client(id).get("/v1/cluster", ClusterJson.class)));
            } catch (ServerException e) {
                answers.put(id, Optional.empty());
            }
        }
        TakeOver t = TakeOver.judge(answers);
        long nanos = System.nanoTime() - takeOverSince;
        String whose = String.join(" and ", takingOver);
        if (t.finished()) {
            out.printf(Locale.ROOT, "take-over finished %.1fs after %s exited: %s%n", nanos / 1e9, whose,
                    t.summary());
        } else if (nanos > timeout.toNanos()) {
            out.println("the survivors have not taken over the nodes of " + whose + " within " + timeout.toSeconds()
                    + "s: " + t.summary() + " (" + launcher() + " status shows more)");
        } else {
            return;
        }
        out.flush();
        takingOver.clear();
    }

    /** So that {@code nvmesh get} and {@code status} keep working after the instance they asked died. */
    private void pointClientAt(String id) {
        URI url = demo.urls().get(id);
        try {
            DemoSetup.pointClientAt(demo, url);
            clientServer = id;
            out.println("nvmesh get now asks " + id + " at " + url + " (" + demo.clientFile() + "; if you set "
                    + "NVMESH_SERVER, set it to that)");
        } catch (IOException e) {
            out.println("cannot point " + demo.clientFile() + " at " + id + ": " + e.getMessage());
        }
        out.flush();
    }

    private ServerClient client(String id) {
        return clients.computeIfAbsent(id, i -> new ServerClient(new ServerAddress(demo.urls().get(i),
                demo.readToken(), "demo", demo.readerTls())));
    }

    /**
     * How the person typed nvmesh ({@code ./nvmesh} in a checkout, {@code nvmesh} when installed), as the launcher
     * says in {@code NVMESH_LAUNCHER}; plain {@code nvmesh} otherwise.
     */
    public static String launcher() {
        String typed = System.getenv("NVMESH_LAUNCHER");
        return typed == null || typed.isBlank() || typed.chars().anyMatch(c -> c < 0x20) ? "nvmesh" : typed;
    }
}
