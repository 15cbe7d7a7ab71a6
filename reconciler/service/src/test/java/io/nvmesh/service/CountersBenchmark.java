package io.nvmesh.service;

import io.nvmesh.core.allocation.CapacityLedger;
import io.nvmesh.core.allocation.CapacityReport;
import io.nvmesh.service.counters.CapacitySnapshot;
import io.nvmesh.service.counters.CounterKeys;
import io.nvmesh.service.counters.CounterWorld;
import io.nvmesh.service.counters.Counters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Scenario runner (not a unit test). At 1,000 targets × 24 drives and 10,000 planned volumes: the capacity query
 * answered from one instance's counters (Chronicle Map) against a full recomputation ({@code CapacityLedger
 * .recompute}); then three real instances on loopback take over their partitions, receive a burst of 10,000 changes,
 * and we measure how long until all three hold the recomputed totals. Prints a table and writes it to the file named
 * by the first argument (default {@code reconciler/service/target/counters-benchmark.txt}).
 */
public final class CountersBenchmark {

    private CountersBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "reconciler/service/target/counters-benchmark.txt");
        int targets = 1000;
        int drives = 24;
        int volumes = 10_000;
        int burst = 10_000;
        Path dir = Files.createTempDirectory("nvmesh-counters-bench");
        List<String[]> rows = new ArrayList<>();
        try {
            long t = System.nanoTime();
            CounterWorld world = CounterWorld.generate(targets, drives, 50, 42);
            world.createVolumes(volumes);
            rows.add(row("fleet", targets + " targets × " + drives + " drives, " + String.format(Locale.ROOT, "%,d", world.allocations().volumes().size()) + " of " + volumes + " volumes placed ("
                    + ms(System.nanoTime() - t) + " to generate and plan)"));

            queryVersusRecompute(world, dir.resolve("single"), rows);
            convergence(world, dir.resolve("cluster"), burst, rows);
        } finally {
            deleteTree(dir);
        }
        StringBuilder table = new StringBuilder("| measure | result |\n|---|---|\n");
        rows.forEach(r -> table.append("| ").append(r[0]).append(" | ").append(r[1]).append(" |\n"));
        System.out.print(table);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table.toString());
    }

    private static void queryVersusRecompute(CounterWorld world, Path dir, List<String[]> rows) {
        try (Counters counters = Counters.open(dir, "r1", 1)) {
            long t = System.nanoTime();
            counters.rebuild(world::contributions);
            rows.add(row("fill one instance's counters from a full recomputation (rebuild)",
                    ms(System.nanoTime() - t)));
            CapacityReport expected = world.expectedReport();
            boolean agree = counters.capacity(true).report().equals(expected)
                    && counters.totals().equals(world.expectedTotals());
            rows.add(row("counters agree with CapacityLedger.recompute", agree ? "yes" : "**NO**"));

            long sink = 0;
            for (int i = 0; i < 20_000; i++) { // warm up
                sink += counters.capacity(false).cluster().free();
                sink += counters.total(CounterKeys.bytes("free", "cluster"));
            }
            int n = 20_000;
            t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += counters.total(CounterKeys.bytes("free", "cluster"))
                        + counters.total(CounterKeys.bytes("free", "domain/rack=r" + (i % 50 + 1)));
            }
            double oneTotal = (double) (System.nanoTime() - t) / n / 2;
            n = 2_000;
            t = System.nanoTime();
            CapacitySnapshot snapshot = null;
            for (int i = 0; i < n; i++) {
                snapshot = counters.capacity(false);
                sink += snapshot.cluster().free();
            }
            double fullQuery = (double) (System.nanoTime() - t) / n;

            for (int i = 0; i < 2; i++) {
                sink += recompute(world).cluster().free();
            }
            int r = 5;
            t = System.nanoTime();
            for (int i = 0; i < r; i++) {
                sink += recompute(world).cluster().free();
            }
            double recount = (double) (System.nanoTime() - t) / r;
            rows.add(row("one total from the counters (e.g. free bytes of rack r7)", String.format(Locale.ROOT,
                    "%.0f ns", oneTotal)));
            rows.add(row("the whole capacity answer from the counters (cluster, " + snapshot.byDomain().size()
                    + " domains, " + snapshot.byDriveClass().size() + " classes, servers, drives, volumes)",
                    String.format(Locale.ROOT, "%.1f µs", fullQuery / 1000)));
            rows.add(row("full recomputation (CapacityLedger.recompute(...).report())",
                    String.format(Locale.ROOT, "%.1f ms", recount / 1e6)));
            rows.add(row("whole answer from counters vs recomputation", String.format(Locale.ROOT,
                    "**%,.0f× faster** (target ≥ 1,000×)", recount / fullQuery)));
            rows.add(row("one total vs recomputation", String.format(Locale.ROOT, "%,.0f× faster",
                    recount / oneTotal)));
            if (sink == 42) {
                System.out.println();
            }
        }
    }

    private static CapacityReport recompute(CounterWorld world) {
        return CapacityLedger.recompute(world.inventory(), world.allocations(), world.desiredState()).report();
    }

    private static void convergence(CounterWorld world, Path dir, int burst, List<String[]> rows) throws Exception {
        try (TestCluster cluster = new TestCluster(3, Duration.ofMillis(500), 3, dir).startAll()) {
            // Membership first: an instance that has not heard its peers yet owns everything and would take over
            // all 11,000 partitions only to hand most of them back (the cold-start churn, not what is measured here).
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (cluster.running().stream().anyMatch(n -> n.view().live().size() < 3)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the instances did not see each other within 30 s");
                }
                Thread.sleep(10);
            }
            long t = System.nanoTime();
            List<String> keys = world.keys();
            for (ReconcilerNode n : cluster.running()) {
                n.ownership().setKeys(keys);
                n.counters().contributeFrom(world);
            }
            Map<String, Long> expected = world.expectedTotals();
            awaitAll(cluster, expected, Duration.ofSeconds(120));
            rows.add(row("3 instances: take over " + keys.size() + " partitions and agree on every total",
                    ms(System.nanoTime() - t) + " (from ownership known)"));

            t = System.nanoTime();
            long worldNanos = 0;
            long applyNanos = 0;
            long deltas = 0;
            for (int i = 0; i < burst; i++) {
                long w = System.nanoTime();
                CounterWorld.Change c = world.cheapChange(); // mutates the simulated state and derives the deltas
                long a = System.nanoTime();
                for (ReconcilerNode n : cluster.running()) {
                    n.counters().apply(c.version(), c.deltas());
                }
                applyNanos += System.nanoTime() - a;
                worldNanos += a - w;
                deltas += c.deltas().size();
            }
            long applied = System.nanoTime();
            expected = world.expectedTotals();
            long done = awaitAll(cluster, expected, Duration.ofSeconds(120));
            rows.add(row("burst: " + String.format(Locale.ROOT, "%,d", burst) + " changes (drive / target health, "
                    + "new drives, volume status), " + String.format(Locale.ROOT, "%,d", deltas) + " deltas, fed to "
                    + "all 3 instances", ms(applied - t) + " in all: " + ms(applyNanos) + " in Counters.apply ("
                    + String.format(Locale.ROOT, "%.0f µs", applyNanos / 1e3 / burst) + " per change for 3), "
                    + ms(worldNanos) + " in the simulated world (new immutable Inventory of 24,000 drives per "
                    + "change, and the deltas)"));
            rows.add(row("burst: from the last change until all 3 instances hold the recomputed totals",
                    "**" + ms(done - applied) + "**"));
            rows.add(row("burst: first change to all converged", ms(done - t)));
        }
    }

    /** Polls until every instance's totals equal {@code expected}; returns the nanoTime it happened. */
    private static long awaitAll(TestCluster cluster, Map<String, Long> expected, Duration limit)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (ReconcilerNode n : cluster.running()) {
                if (!n.counters().totals().equals(expected)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return System.nanoTime();
            }
            Thread.sleep(2); // a scenario runner polling, not a test
        }
        throw new IllegalStateException("the instances did not converge within " + limit);
    }

    private static String[] row(String measure, String result) {
        return new String[] {measure, result};
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%,d ms", nanos / 1_000_000);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
