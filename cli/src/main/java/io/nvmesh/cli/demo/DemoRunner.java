package io.nvmesh.cli.demo;

import io.nvmesh.cli.process.ChildProcesses;
import io.nvmesh.cli.process.ServiceJars;
import io.nvmesh.cli.remote.ServerAddress;
import io.nvmesh.cli.remote.ServerClient;
import io.nvmesh.cli.remote.ServerException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Starts a prepared demo's instances and fleet as child processes (output to {@code logs/}), waits until the samples
 * are reconciled, saying how far it got, then keeps them running until this JVM is stopped.
 */
public final class DemoRunner {

    /** The simulated fleet: the sample inventory, or a generated one of this size. */
    public record Fleet(Path inventory, int targets, int drives, int clients) {
    }

    private final DemoSetup.Prepared demo;
    private final ServiceJars jars;
    private final PrintWriter out;
    private final ChildProcesses children;

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
        this.children = children;
        this.out = out;
    }

    /** Starts every reconciler, waits for their health checks, then starts the fleet. */
    public void start(Fleet fleet, Duration timeout) throws InterruptedException {
        for (Map.Entry<String, Path> e : demo.configs().entrySet()) {
            ProcessBuilder b = new ProcessBuilder(jars.command(ServiceJars.RECONCILER_MAIN,
                    List.of("--config", e.getValue().toString())));
            b.directory(demo.dir().toFile()).redirectErrorStream(true)
                    .redirectOutput(demo.logs().resolve(e.getKey() + ".log").toFile());
            children.start(b);
            out.println("started reconciler " + e.getKey() + " at " + demo.urls().get(e.getKey()) + "  (log: "
                    + demo.logs().resolve(e.getKey() + ".log") + ")");
        }
        out.flush();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<String, URI> e : demo.urls().entrySet()) {
            ServerClient c = client(e.getValue());
            while (true) {
                try {
                    c.get("/healthz");
                    break;
                } catch (ServerException ex) {
                    checkAlive();
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
        ProcessBuilder sim = new ProcessBuilder(jars.command(ServiceJars.SIM_MAIN, args));
        sim.environment().put("NVMESH_AGENT_SECRET", demo.agentSecret()); // not on the command line: ps shows it
        sim.directory(demo.dir().toFile()).redirectErrorStream(true)
                .redirectOutput(demo.logs().resolve("sim.log").toFile());
        children.start(sim);
        out.println("started simulated fleet " + (fleet.inventory() != null ? "from " + fleet.inventory()
                : fleet.targets() + " targets x " + fleet.drives() + " drives, " + fleet.clients() + " clients")
                + "  (log: " + demo.logs().resolve("sim.log") + ")");
        out.flush();
    }

    /**
     * Polls the first instance until every sample volume is recorded and none is pending or initializing (served by
     * its targets), printing a line whenever the counts change.
     *
     * @return whether that happened within {@code timeout}
     */
    public boolean awaitReconciled(Duration timeout) throws InterruptedException {
        ServerClient c = client(demo.urls().values().iterator().next());
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            checkAlive();
            try {
                Map<String, Object> body = c.get("/v1/volumes");
                Map<String, Integer> byStatus = new TreeMap<>();
                Object items = body.get("items");
                if (items instanceof List<?> list) {
                    for (Object o : list) {
                        if (o instanceof Map<?, ?> m) {
                            byStatus.merge(String.valueOf(m.get("status")), 1, Integer::sum);
                        }
                    }
                }
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

    private void checkAlive() {
        for (Process p : children.all()) {
            if (!p.isAlive()) {
                throw new IllegalStateException("demo process " + p.pid() + " exited with code " + p.exitValue()
                        + "; see the logs in " + demo.logs());
            }
        }
    }

    /** Blocks until this JVM is stopped (Ctrl-C), or a child dies. */
    public void runUntilStopped() throws InterruptedException {
        while (true) {
            checkAlive();
            TimeUnit.SECONDS.sleep(1);
        }
    }

    private ServerClient client(URI url) {
        return new ServerClient(new ServerAddress(url, demo.readToken(), "demo"));
    }
}
