package io.nvmesh.core.allocation;

import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Protection;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Scenario runner (not a unit test): plans 10,000 volumes of mixed layouts onto 1,000 targets × 24 drives and
 * compares the capacity query from incremental counters with a recount. Prints a table and writes it to the file
 * named by the first argument. Run it with {@code bench/allocation.sh}.
 */
public final class AllocationBenchmark {

    static final List<VolumePolicy> POLICIES = List.of(
            Fleet.policy("concat", Layout.CONCATENATED),
            Fleet.policy("r0", Layout.RAID0, 4, 0, 0, 0, Protection.FULL, null),
            Fleet.policy("r1", Layout.RAID1, 1, 1, 0, 0, Protection.FULL, "rack"),
            Fleet.policy("r10", Layout.RAID10, 4, 1, 0, 0, Protection.FULL, null),
            Fleet.policy("ec", Layout.ERASURE_CODING, 1, 0, 8, 2, Protection.FULL, "rack"),
            Fleet.policy("sec", Layout.STRIPED_ERASURE_CODING, 2, 0, 4, 2, Protection.FULL, null));

    private AllocationBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/allocation-benchmark.txt");
        int targets = 1000;
        int drives = 24;
        int volumes = 10_000;
        Inventory inv = fleet(targets, drives);
        DesiredState desired = DesiredState.of(POLICIES, workload(volumes, new Random(7)));

        for (int i = 0; i < 3; i++) { // warm up the JIT on smaller runs
            Planner.plan(fleet(100, 24), Allocations.EMPTY, DesiredState.of(POLICIES, workload(1000, new Random(i))));
        }
        long[] planNanos = new long[5];
        Plan plan = null;
        for (int i = 0; i < planNanos.length; i++) {
            long t0 = System.nanoTime();
            plan = Planner.plan(inv, Allocations.EMPTY, desired);
            planNanos[i] = System.nanoTime() - t0;
        }
        Allocations state = Allocations.EMPTY.apply(plan);
        System.gc();
        long heapWithPlan = usedHeap();

        CapacityLedger ledger = CapacityLedger.recompute(inv, Allocations.EMPTY, desired);
        long t0 = System.nanoTime();
        ledger.apply(plan);
        long applyNanos = System.nanoTime() - t0;

        long queries = 10_000_000;
        long sink = 0;
        t0 = System.nanoTime();
        for (long i = 0; i < queries; i++) {
            sink += ledger.cluster().free() + ledger.domain("rack", "r" + (i & 31)).free();
        }
        double queryNanos = (double) (System.nanoTime() - t0) / queries;
        int recounts = 10;
        t0 = System.nanoTime();
        for (int i = 0; i < recounts; i++) {
            CapacityLedger fresh = CapacityLedger.recompute(inv, state, desired);
            sink += fresh.cluster().free() + fresh.domain("rack", "r" + i).free();
        }
        double recountNanos = (double) (System.nanoTime() - t0) / recounts;
        boolean agree = ledger.report().equals(CapacityLedger.recompute(inv, state, desired).report());

        Arrays.sort(planNanos);
        long placed = plan.actions().stream().filter(a -> a.outcome() == Outcome.PLACED).count();
        long segments = state.volumes().stream().mapToLong(v -> v.extents().size()).sum();
        Usage u = ledger.cluster();
        StringBuilder table = new StringBuilder();
        row(table, "scenario", "%d volumes (6 layouts) on %d targets × %d drives", volumes, targets, drives);
        row(table, "machine", "%d cores visible, %s %s, max heap %d MiB", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        row(table, "placed", "%d of %d volumes, %d segments, cluster %.1f%% allocated", placed, volumes, segments,
                100.0 * u.allocated() / u.total());
        row(table, "plan (min / median / max)", "%.0f / %.0f / %.0f ms", planNanos[0] / 1e6, planNanos[2] / 1e6,
                planNanos[4] / 1e6);
        row(table, "heap after GC, plan + state held", "%d MiB", heapWithPlan >> 20);
        row(table, "heap peak (all pools)", "%d MiB", peakHeap() >> 20);
        row(table, "apply plan to counters", "%.1f ms", applyNanos / 1e6);
        row(table, "capacity query from counters", "%.1f ns", queryNanos);
        row(table, "capacity query by recount", "%.1f ms", recountNanos / 1e6);
        row(table, "counters vs recount", "%.0f× faster; agree: %s", recountNanos / queryNanos, agree);
        System.out.print(table);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table.toString());
        if (sink == 42) {
            System.out.println();
        }
    }

    static Inventory fleet(int targets, int drives) {
        List<Target> ts = new ArrayList<>(targets);
        for (int t = 0; t < targets; t++) {
            String id = String.format("t%04d", t);
            List<Drive> ds = new ArrayList<>(drives);
            for (int d = 0; d < drives; d++) {
                long tib = (t + d) % 4 == 0 ? 8 : 4;
                ds.add(Drive.of(id + "-n" + d, tib * io.nvmesh.schema.Size.TiB));
            }
            ts.add(Target.of(id, Map.of("rack", "r" + t / 20, "zone", "z" + t % 3), ds));
        }
        return Inventory.of(ts);
    }

    static List<Volume> workload(int n, Random random) {
        List<Volume> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            VolumePolicy p = POLICIES.get(random.nextInt(POLICIES.size()));
            out.add(Fleet.volume(String.format("vol-%05d", i), p.name(), 50 + random.nextInt(2000)));
        }
        return out;
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    private static void row(StringBuilder sb, String name, String format, Object... args) {
        sb.append(String.format(Locale.ROOT, "| %-34s | %s |%n", name, String.format(Locale.ROOT, format, args)));
    }
}
