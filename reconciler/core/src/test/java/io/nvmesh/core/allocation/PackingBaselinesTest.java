package io.nvmesh.core.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.Capacity;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Protection;
import io.nvmesh.schema.Size;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * The packing benchmark compares the planner with a greedy baseline and an upper bound; this keeps the comparison
 * honest on fleets small enough for exhaustive search ({@link PackingBruteForce}): bound ≥ optimum ≥ planner and
 * greedy, and every greedy placement is one {@code fsck} accepts with stripes on drives of their own.
 */
class PackingBaselinesTest {

    /** Every layout; protections full, minimal and ignore; scopes none and rack. */
    static final List<VolumePolicy> TINY = List.of(
            Fleet.policy("concat", Layout.CONCATENATED),
            Fleet.policy("r0", Layout.RAID0, 2, 0, 0, 0, Protection.FULL, null),
            Fleet.policy("r1", Layout.RAID1, 1, 1, 0, 0, Protection.FULL, null),
            Fleet.policy("r1-rack", Layout.RAID1, 1, 1, 0, 0, Protection.FULL, "rack"),
            Fleet.policy("r1x3-min", Layout.RAID1, 1, 2, 0, 0, Protection.MINIMAL, null),
            Fleet.policy("r1-ignore", Layout.RAID1, 1, 1, 0, 0, Protection.IGNORE, null),
            Fleet.policy("r10", Layout.RAID10, 2, 1, 0, 0, Protection.FULL, null),
            Fleet.policy("ec", Layout.ERASURE_CODING, 1, 0, 2, 1, Protection.FULL, null),
            Fleet.policy("sec", Layout.STRIPED_ERASURE_CODING, 2, 0, 2, 1, Protection.FULL, null));

    private static final Function<String, VolumePolicy> BY_NAME = n -> TINY.stream()
            .filter(p -> p.name().equals(n)).findFirst().orElseThrow();

    @Property(tries = 60)
    void boundHoldsTheExactOptimum(@ForAll @LongRange(min = 1) long seed) {
        Random r = new Random(seed);
        Inventory fleet = tinyFleet(r, 3, 2);
        List<Volume> stream = tinyStream(r, 2 + r.nextInt(2), 1);

        int bound = new PackingBound(fleet, BY_NAME).prefix(stream);
        int optimum = new PackingBruteForce(fleet).longestPrefix(stream, BY_NAME);

        assertThat(bound).as("bound").isGreaterThanOrEqualTo(optimum);
        Statistics.label("bound above optimum").collect(bound > optimum);
    }

    @Property(tries = 150)
    void theOptimumHoldsThePlannerAndGreedy(@ForAll @LongRange(min = 1) long seed) {
        Random r = new Random(seed);
        Inventory fleet = tinyFleet(r, 3 + r.nextInt(2), 3);
        List<Volume> stream = tinyStream(r, 3 + r.nextInt(3), 2);

        int bound = new PackingBound(fleet, BY_NAME).prefix(stream);
        // The search stops once it reaches the bound (it is at most that); the planner and greedy placements are real,
        // so each of them still proves the bound, and the search proves each of them no better than the optimum.
        int optimum = new PackingBruteForce(fleet).longestPrefix(stream, BY_NAME, bound);
        Allocations planned = PackingBenchmark.plannerState(fleet, TINY, stream); // checked sound
        int planner = planned.volumes().size();
        int greedy = PackingBenchmark.greedy(fleet, TINY, stream); // checked sound, stripes apart

        assertThat(bound).as("bound").isGreaterThanOrEqualTo(optimum).isGreaterThanOrEqualTo(planner);
        assertThat(optimum).as("optimum").isGreaterThanOrEqualTo(greedy);
        boolean comparable = planned.volumes().stream().flatMap(v -> v.extents().stream())
                .allMatch(e -> e.length() % PackingBruteForce.UNIT == 0);
        if (comparable) {
            assertThat(optimum).as("optimum").isGreaterThanOrEqualTo(planner);
        }
        Statistics.label("planner comparable with the optimum").collect(comparable);
        Statistics.label("greedy below optimum").collect(greedy < optimum);
        Statistics.label("planner below optimum").collect(planner < optimum);
    }

    @Test
    void optimumOfOneBigTargetAndTwoSmallOnesIsTwoMirrors() {
        // Each mirror needs two targets: the big one can hold one copy of each, the small ones one copy each.
        Inventory fleet = Inventory.of(List.of(target("big", "r1", 3), target("a", "r2", 1), target("b", "r3", 1)));
        List<Volume> stream = List.of(gib("v0", "r1", 1), gib("v1", "r1", 1), gib("v2", "r1", 1));

        assertThat(new PackingBruteForce(fleet).longestPrefix(stream, BY_NAME)).isEqualTo(2);
        assertThat(new PackingBound(fleet, BY_NAME).prefix(stream)).isEqualTo(2);
        assertThat(PackingBenchmark.greedy(fleet, TINY, stream)).isEqualTo(2);
        assertThat(PackingBenchmark.planner(fleet, TINY, stream)).isEqualTo(2);
    }

    @Test
    void unprotectedDataOnTheSmallTargetsCostsLaterMirrors() {
        // Concat on the big target leaves both small ones for the second copies; on a small one, the mirror is cut short.
        Inventory fleet = Inventory.of(List.of(target("big", "r1", 3), target("a", "r2", 1), target("b", "r3", 1)));
        List<Volume> stream = List.of(gib("v0", "concat", 1), gib("v1", "r1", 2));

        assertThat(new PackingBruteForce(fleet).longestPrefix(stream, BY_NAME)).isEqualTo(2);
        assertThat(new PackingBound(fleet, BY_NAME).prefix(stream)).isEqualTo(2);
        assertThat(PackingBenchmark.planner(fleet, TINY, stream)).isEqualTo(2);
    }

    @Test
    void boundRefusesWhatNoPlacementHolds() {
        // A 3-wide erasure-coded group needs three targets; two exist, so not even the first volume fits.
        Inventory fleet = Inventory.of(List.of(target("a", "r1", 3), target("b", "r2", 3)));
        List<Volume> stream = List.of(gib("v0", "ec", 1));

        assertThat(new PackingBound(fleet, BY_NAME).prefix(stream)).isZero();
        assertThat(new PackingBruteForce(fleet).longestPrefix(stream, BY_NAME)).isZero();
    }

    @Test
    void greedyFillsTheLargestFreeDriveFirstAndKeepsGroupsApart() {
        Inventory fleet = Inventory.of(List.of(target("big", "r1", 8), target("a", "r2", 1), target("b", "r3", 2)));
        GreedyPacker packer = new GreedyPacker(fleet);

        VolumeAllocation concat = packer.place(gib("v0", "concat", 1), BY_NAME.apply("concat"));
        VolumeAllocation mirror = packer.place(gib("v1", "r1", 1), BY_NAME.apply("r1"));

        assertThat(concat.extents()).extracting(Extent::serial).containsExactly("big-d0");
        assertThat(mirror.extents()).extracting(Extent::serial).containsExactly("big-d0", "b-d0");
        assertThat(StateChecker.check(fleet, new Allocations(List.of(concat, mirror)))).isEmpty();
    }

    /** {@code targets} targets in 2–3 racks, 1–2 drives each of 1 to {@code maxGib} GiB. */
    static Inventory tinyFleet(Random r, int targets, int maxGib) {
        int racks = 2 + r.nextInt(2);
        List<Target> ts = new ArrayList<>();
        for (int t = 0; t < targets; t++) {
            List<Drive> ds = new ArrayList<>();
            int drives = 1 + r.nextInt(2);
            for (int d = 0; d < drives; d++) {
                ds.add(Drive.of("t" + t + "-d" + d, (1 + r.nextInt(maxGib)) * Size.GiB));
            }
            ts.add(Target.of("t" + t, Map.of("rack", "r" + t % racks), ds));
        }
        return Inventory.of(ts);
    }

    /** {@code n} volumes of random policies, 1 to {@code maxGib} GiB. */
    static List<Volume> tinyStream(Random r, int n, int maxGib) {
        List<Volume> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(gib(String.format("v%02d", i), TINY.get(r.nextInt(TINY.size())).name(), 1 + r.nextInt(maxGib)));
        }
        return out;
    }

    private static Target target(String id, String rack, long gib) {
        return Target.of(id, Map.of("rack", rack), List.of(Drive.of(id + "-d0", gib * Size.GiB)));
    }

    private static Volume gib(String name, String policy, long gib) {
        return new Volume(Metadata.named(name), policy, Capacity.of(Size.ofGiB(gib)), List.of(), 0, true);
    }
}
