package io.nvmesh.core.allocation;

import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scenario runner (not a unit test): fills heterogeneous fleets with a seeded stream of volumes of every layout until
 * the first refusal, and compares the share of raw capacity that nvmesh's planner, a greedy baseline
 * ({@link GreedyPacker}) and an upper bound ({@link PackingBound}) reach. Prints a per-seed table and a summary and
 * writes both to the file named by the first argument; the second argument is the number of seeds (default 20), the
 * third the first seed (default 1: seeds 1 to 20), so that a change can be checked on seeds it was not tried on.
 * Run it with {@code bench/packing.sh}; {@code -Dpacking.why} also prints each first refusal's reason and the free
 * bytes of every target at that moment; {@code -Dpacking.apart} runs the diagnostic of {@link PackingScenario#APART}.
 */
public final class PackingBenchmark {

    /** What one allocator reached on one fleet: volumes placed before its first refusal, and their footprint. */
    record Reached(int volumes, double bytes) {
    }

    /**
     * @param forced whether the planner's first refusal was forced by what it had placed: the bound, on a fleet of
     *        the free space the planner left, refuses that volume too, so no strategy tried at that moment could place it
     */
    record Row(PackingScenario.Kind kind, long seed, long raw, Reached bound, Reached firstRung, Reached planner,
            Reached greedy, long plannerNanos, boolean forced) {

        double share(Reached r) {
            return r.bytes() / raw;
        }

        double ofBound(Reached r) {
            return r.bytes() / bound.bytes();
        }
    }

    private PackingBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/packing-benchmark.txt");
        int seeds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        long first = args.length > 2 ? Long.parseLong(args[2]) : 1;
        List<Row> rows = new ArrayList<>();
        StringBuilder table = new StringBuilder();
        table.append("| fleet | seed | raw TB | bound: volumes, share | first-rung LP: share | planner: volumes, share, "
                + "of bound | greedy: volumes, share, of bound | planner − greedy | refusal forced |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (PackingScenario.Kind kind : PackingScenario.Kind.values()) {
            for (long seed = first; seed < first + seeds; seed++) {
                Row row = run(kind, seed);
                rows.add(row);
                String line = String.format(Locale.ROOT, "| %s | %d | %.0f | %d, %.1f%% | %.1f%% | %d, %.1f%%, %.1f%% "
                        + "| %d, %.1f%%, %.1f%% | %+.1f points | %s |%n", kind.name().toLowerCase(Locale.ROOT), seed,
                        row.raw() / 1e12, row.bound().volumes(), 100 * row.share(row.bound()),
                        100 * row.share(row.firstRung()),
                        row.planner().volumes(), 100 * row.share(row.planner()), 100 * row.ofBound(row.planner()),
                        row.greedy().volumes(), 100 * row.share(row.greedy()), 100 * row.ofBound(row.greedy()),
                        100 * (row.share(row.planner()) - row.share(row.greedy())), row.forced() ? "yes" : "no");
                System.out.print(line);
                table.append(line);
            }
        }
        StringBuilder summary = new StringBuilder();
        summary.append("\n| fleet | runs | planner of bound: mean (min) | greedy of bound: mean (min) "
                + "| planner of first-rung LP: mean | planner below greedy | planner above greedy "
                + "| planner time per volume | planner's refusal forced |\n|---|---|---|---|---|---|---|---|---|\n");
        for (PackingScenario.Kind kind : PackingScenario.Kind.values()) {
            summarize(summary, kind.name().toLowerCase(Locale.ROOT), rows.stream().filter(r -> r.kind() == kind)
                    .toList());
        }
        summarize(summary, "all", rows);
        System.out.print(summary);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table.append(summary).toString());
    }

    private static void summarize(StringBuilder sb, String name, List<Row> rows) {
        double planner = rows.stream().mapToDouble(r -> r.ofBound(r.planner())).average().orElse(0);
        double plannerMin = rows.stream().mapToDouble(r -> r.ofBound(r.planner())).min().orElse(0);
        double greedy = rows.stream().mapToDouble(r -> r.ofBound(r.greedy())).average().orElse(0);
        double greedyMin = rows.stream().mapToDouble(r -> r.ofBound(r.greedy())).min().orElse(0);
        double firstRung = rows.stream().mapToDouble(r -> r.planner().bytes() / r.firstRung().bytes()).average()
                .orElse(0);
        long below = rows.stream().filter(r -> r.planner().volumes() < r.greedy().volumes()).count();
        long above = rows.stream().filter(r -> r.planner().volumes() > r.greedy().volumes()).count();
        double perVolume = rows.stream().mapToDouble(r -> (double) r.plannerNanos() / Math.max(1, r.planner()
                .volumes())).average().orElse(0);
        long forced = rows.stream().filter(Row::forced).count();
        sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f%% (%.1f%%) | %.1f%% (%.1f%%) | %.1f%% | %d | %d "
                + "| %.1f ms | %d of %d |%n", name, rows.size(), 100 * planner, 100 * plannerMin, 100 * greedy,
                100 * greedyMin, 100 * firstRung, below, above, perVolume / 1e6, forced, rows.size()));
    }

    static Row run(PackingScenario.Kind kind, long seed) {
        Inventory fleet = PackingScenario.fleet(kind, seed);
        List<Volume> stream = PackingScenario.stream(fleet, seed);
        int bound = new PackingBound(fleet, PackingScenario::policyNamed).prefix(stream);
        if (bound == stream.size()) {
            throw new IllegalStateException(kind + " seed " + seed + ": the stream fits whole; make it longer");
        }
        long t0 = System.nanoTime();
        Allocations plannerState = plannerState(fleet, PackingScenario.POLICIES, stream);
        long plannerNanos = System.nanoTime() - t0;
        int planner = plannerState.volumes().size();
        boolean forced = new PackingBound(freeSpace(fleet, plannerState), PackingScenario::policyNamed)
                .prefix(List.of(stream.get(planner))) == 0;
        int greedy = greedy(fleet, PackingScenario.POLICIES, stream);
        int firstRung = new PackingBound(fleet, PackingScenario::policyNamed, true).prefix(stream);
        if (planner > bound || greedy > bound) {
            throw new IllegalStateException(kind + " seed " + seed + ": the bound " + bound + " is below planner "
                    + planner + " or greedy " + greedy + "; it is no bound");
        }
        return new Row(kind, seed, PackingScenario.raw(fleet), reached(stream, bound), reached(stream, firstRung),
                reached(stream, planner), reached(stream, greedy), plannerNanos, forced);
    }

    /** The fleet as the state leaves it: every drive as large as its free bytes (same serials, targets, labels). */
    static Inventory freeSpace(Inventory fleet, Allocations state) {
        java.util.Map<String, Long> used = new java.util.HashMap<>();
        state.volumes().forEach(v -> v.extents().forEach(e -> used.merge(e.serial(), e.length(), Long::sum)));
        List<Target> targets = new ArrayList<>();
        for (Target t : fleet.targets()) {
            List<Drive> drives = new ArrayList<>();
            for (Drive d : t.drives()) {
                drives.add(new Drive(d.serial(), d.usableCapacity() - used.getOrDefault(d.serial(), 0L), d.health(),
                        d.labels()));
            }
            targets.add(new Target(t.id(), t.labels(), t.health(), drives));
        }
        return Inventory.of(targets);
    }

    /** Volumes the planner places one plan at a time, as a stream of applies would, before its first refusal. */
    static int planner(Inventory fleet, List<VolumePolicy> policies, List<Volume> stream) {
        return plannerState(fleet, policies, stream).volumes().size();
    }

    /** The state after the planner placed the stream up to its first refusal (checked sound). */
    static Allocations plannerState(Inventory fleet, List<VolumePolicy> policies, List<Volume> stream) {
        Allocations state = Allocations.EMPTY;
        List<Volume> desired = new ArrayList<>();
        for (Volume v : stream) {
            desired.add(v);
            Plan plan = Planner.plan(fleet, state, DesiredState.of(policies, desired));
            if (!plan.unplaceable().isEmpty()) {
                if (System.getProperty("packing.why") != null) {
                    System.out.println("planner refused " + v.policy() + " " + v.capacity().written() + ": "
                            + plan.unplaceable().get(0).reason());
                    System.out.print(freeByTarget(fleet, state));
                }
                break;
            }
            state = state.apply(plan);
        }
        requireSound("planner", fleet, state);
        return state;
    }

    static int greedy(Inventory fleet, List<VolumePolicy> policies, List<Volume> stream) {
        GreedyPacker packer = new GreedyPacker(fleet);
        List<VolumeAllocation> placed = new ArrayList<>();
        for (Volume v : stream) {
            VolumeAllocation a = packer.place(v, policies.stream().filter(p -> p.name().equals(v.policy()))
                    .findFirst().orElseThrow());
            if (a == null) {
                if (System.getProperty("packing.why") != null) {
                    System.out.println("greedy refused " + v.policy() + " " + v.capacity().written());
                }
                break;
            }
            placed.add(a);
        }
        requireSound("greedy", fleet, new Allocations(placed));
        return placed.size();
    }

    /** A packing figure counts only for a state {@code fsck} accepts, with every stripe on drives of its own. */
    static void requireSound(String who, Inventory fleet, Allocations state) {
        List<Violation> violations = StateChecker.check(fleet, state);
        if (!violations.isEmpty()) {
            throw new IllegalStateException(who + " broke the rules: " + violations.get(0).message());
        }
        for (VolumeAllocation v : state.volumes()) {
            if (!StripeSharing.shared(v).isEmpty()) {
                throw new IllegalStateException(who + " put stripes of " + v.volume() + " on one drive: "
                        + StripeSharing.describe(StripeSharing.shared(v), 3));
            }
        }
    }

    /** Debugging aid: each target's rack, zone, capacity and free bytes (TB). */
    static String freeByTarget(Inventory fleet, Allocations state) {
        java.util.Map<String, Long> used = new java.util.HashMap<>();
        state.volumes().forEach(v -> v.extents().forEach(e -> used.merge(e.serial(), e.length(), Long::sum)));
        StringBuilder sb = new StringBuilder();
        for (Target t : fleet.targets()) {
            long cap = 0;
            long free = 0;
            for (Drive d : t.drives()) {
                cap += d.usableCapacity();
                free += d.usableCapacity() - used.getOrDefault(d.serial(), 0L);
            }
            sb.append(String.format(Locale.ROOT, "  %s %s %s %d drives cap %.2f free %.2f%n", t.id(),
                    t.labels().get("rack"), t.labels().get("zone"), t.drives().size(), cap / 1e12, free / 1e12));
        }
        return sb.toString();
    }

    private static Reached reached(List<Volume> stream, int volumes) {
        double bytes = 0;
        for (Volume v : stream.subList(0, volumes)) {
            bytes += PackingScenario.footprint(v, PackingScenario.policy(v));
        }
        return new Reached(volumes, bytes);
    }
}
