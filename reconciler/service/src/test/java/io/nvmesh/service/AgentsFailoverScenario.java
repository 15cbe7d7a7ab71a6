package io.nvmesh.service;

import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.agent.AgentStatus;
import io.nvmesh.service.agent.AgentTls;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.sim.SimulatedFleet;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Not a unit test: a scenario that prints figures. Three real instances in this JVM on loopback (500 ms heartbeats,
 * dead after 3 missed) and a simulated fleet of 1,000 targets × 8 drives and 1,000 clients whose agents share one
 * WebSocket client. Once every node is connected to its owner, one instance is stopped without a goodbye to its peers
 * (in-JVM: its Jetty server stops and its sockets close; the agents are not told where to go) and we measure how long
 * until every orphaned node is connected to its new owner, and which nodes moved. Repeated once per instance killed,
 * each time with a fresh cluster and fleet.
 *
 * <pre>
 * mvn -B -q -pl reconciler/service -am package -DskipTests
 * java -Xmx1g -cp 'reconciler/service/target/test-classes:reconciler/service/target/classes:reconciler/service/target/lib/*' \
 *     io.nvmesh.service.AgentsFailoverScenario
 * </pre>
 *
 * The table goes to standard output and to {@code reconciler/service/target/agents-failover.txt}. Each round runs
 * twice, plain and with TLS and client certificates (instances serve https, present their certificates to their
 * peers, and every node presents its own; no tokens for the agents), one after the other, so that both see the same
 * load; {@code plain} or {@code tls} as first argument runs only that.
 */
public final class AgentsFailoverScenario {

    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final int MISSED = 3;
    private static final int TARGETS = 1_000;
    private static final int DRIVES = 8;
    private static final int CLIENTS = 1_000;
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private AgentsFailoverScenario() {
    }

    public static void main(String[] args) throws Exception {
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "Node agents: connections and failover (3 instances + %,d targets x %d "
                + "drives + %,d clients in one JVM, loopback, heartbeat %d ms, dead after %d missed; agents back off "
                + "100 ms -> 1 s with jitter)%n%n", TARGETS, DRIVES, CLIENTS, INTERVAL.toMillis(), MISSED));
        List<Boolean> transports = args.length > 0 && args[0].equals("plain") ? List.of(false)
                : args.length > 0 && args[0].equals("tls") ? List.of(true) : List.of(false, true);
        table.append("| killed | transport | all connected after start | targets per instance | clients per instance "
                + "| max/avg | heap after GC | dead declared after | orphan reconnected p50 / p90 / max "
                + "| every node at its owner after | moved | moved from survivors | orphans' first close |\n");
        table.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        System.out.print(table);
        Path data = Files.createTempDirectory("nvmesh-agents-scenario");
        // One unreported round first: the JIT compiles Jetty, Jackson and our paths, which otherwise makes the first
        // measured round look a second or two slower than the others.
        Path pki = data.resolve("pki");
        for (boolean tls : transports) {
            System.out.println("(warm-up round, not reported: " + run("r3", data.resolve("warm-up-" + tls), tls, pki)
                    + ")");
        }
        for (String victim : List.of("r1", "r2", "r3")) {
            for (boolean tls : transports) {
                String row = run(victim, data.resolve(victim + "-" + tls), tls, pki);
                System.out.println(row);
                table.append(row).append('\n');
            }
        }
        Path file = Path.of("reconciler/service/target/agents-failover.txt");
        if (!Files.isDirectory(file.getParent())) {
            file = Path.of("target/agents-failover.txt");
        }
        Files.writeString(file, table.toString());
        System.out.println("\nwritten to " + file);
        System.exit(0);
    }

    private static String run(String victim, Path data, boolean tls, Path pki)
            throws IOException, InterruptedException {
        Files.createDirectories(data);
        SimulatedFleet fleet = SimulatedFleet.create(new SimulatedFleet.Spec(TARGETS, DRIVES, CLIENTS, 1));
        TestCluster configured = new TestCluster(3, INTERVAL, MISSED, data);
        AgentTls agentTls = AgentTls.NONE;
        if (tls) {
            configured.withTls(pki);
            List<String> nodes = new java.util.ArrayList<>(fleet.targetIds());
            nodes.addAll(fleet.clientIds());
            agentTls = configured.agentTls(nodes);
        }
        try (TestCluster cluster = configured.startAll();
             AgentRuntime runtime = AgentRuntime.start("scenario", agentTls)) {
            poll(() -> cluster.running().stream().allMatch(n -> n.view().live().size() == 3));
            long t0 = System.nanoTime();
            fleet.connect(runtime, cluster.urls(), tls ? node -> "" : node -> TestCluster.AGENT);
            poll(() -> everyNodeAtItsOwner(cluster, fleet.statuses()));
            long connectMillis = (System.nanoTime() - t0) / 1_000_000;

            Map<String, Integer> targets = new TreeMap<>();
            Map<String, Integer> clients = new TreeMap<>();
            cluster.running().forEach(n -> {
                targets.put(n.id(), n.agents().connectionCounts().get("targets"));
                clients.put(n.id(), n.agents().connectionCounts().get("clients"));
            });
            double maxOverAvg = Math.max(maxOverAvg(targets, TARGETS), maxOverAvg(clients, CLIENTS));
            long heap = heapAfterGc();
            Map<String, AgentStatus> before = fleet.statuses();

            long kill = System.nanoTime();
            cluster.kill(victim);
            List<String> survivors = cluster.running().stream().map(ReconcilerNode::id).toList();
            long[] deadAt = {-1};
            long orphans = before.values().stream().filter(st -> st.owner().equals(victim)).count();
            Map<String, String> firstClose = new TreeMap<>();
            Map<String, Long> backAt = new TreeMap<>();
            poll(() -> {
                long now = System.nanoTime();
                fleet.statuses().forEach((id, st) -> {
                    if (before.get(id).owner().equals(victim)) {
                        if (!st.connected() && !firstClose.containsKey(id)) {
                            firstClose.put(id, st.lastClose().split(" ")[0]);
                        }
                        if (st.connected() && !st.owner().equals(victim) && !backAt.containsKey(id)) {
                            backAt.put(id, (now - kill) / 1_000_000);
                        }
                    }
                });
                if (deadAt[0] < 0 && cluster.running().stream().allMatch(n -> n.view().live().equals(survivors))) {
                    deadAt[0] = System.nanoTime();
                }
                return deadAt[0] >= 0 && backAt.size() == orphans && everyNodeAtItsOwner(cluster, fleet.statuses());
            });
            long failoverMillis = (System.nanoTime() - kill) / 1_000_000;
            long deadMillis = (deadAt[0] - kill) / 1_000_000;

            Map<String, AgentStatus> after = fleet.statuses();
            int moved = 0;
            int movedFromSurvivors = 0;
            Map<String, Integer> lastCloses = new TreeMap<>();
            firstClose.values().forEach(c -> lastCloses.merge(c, 1, Integer::sum));
            for (Map.Entry<String, AgentStatus> e : before.entrySet()) {
                AgentStatus now = after.get(e.getKey());
                if (!now.owner().equals(e.getValue().owner())) {
                    moved++;
                }
                if (!e.getValue().owner().equals(victim)) {
                    if (now.welcomes() != e.getValue().welcomes()) {
                        movedFromSurvivors++;
                    }
                }
            }
            fleet.close();
            long[] back = backAt.values().stream().mapToLong(Long::longValue).sorted().toArray();
            String row = String.format(Locale.ROOT, "| %s | %s | %,d ms | %s | %s | %.3f | %,d MiB | %,d ms | %,d / %,d / %,d ms "
                            + "| %,d ms | %,d of %,d (%.1f %%) | %d | %s |",
                    victim, tls ? "TLS+mTLS" : "plain", connectMillis, targets, clients, maxOverAvg, heap >> 20, deadMillis,
                    back[back.length / 2], back[back.length * 9 / 10], back[back.length - 1], failoverMillis, moved,
                    before.size(), 100.0 * moved / before.size(), movedFromSurvivors, lastCloses);
            return row;
        }
    }

    private static boolean everyNodeAtItsOwner(TestCluster cluster, Map<String, AgentStatus> statuses) {
        ReconcilerNode any = cluster.running().get(0);
        for (Map.Entry<String, AgentStatus> e : statuses.entrySet()) {
            String id = e.getKey();
            String key = (id.startsWith("t-") ? NodeKind.TARGET : NodeKind.CLIENT).key(id);
            AgentStatus s = e.getValue();
            if (!s.connected() || !s.owner().equals(any.ownership().current().ownerOrPreferred(key))) {
                return false;
            }
        }
        return true;
    }

    private static double maxOverAvg(Map<String, Integer> counts, int total) {
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        return max / (total / (double) counts.size());
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Polls every 20 ms (checking 2,000 agents costs CPU the agents need); a scenario, not a test, so a plain loop with a deadline is enough. */
    private static void poll(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the scenario did not settle within " + PATIENCE.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }
}
