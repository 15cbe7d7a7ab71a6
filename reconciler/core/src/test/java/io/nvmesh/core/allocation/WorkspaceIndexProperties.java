package io.nvmesh.core.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.DriveClass;
import io.nvmesh.schema.LabelSelector;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Protection;
import io.nvmesh.schema.TargetClass;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The indexes that let the planner work at 100,000 volumes give the answers of the plain computation they replace:
 * class membership by selector projections ({@code Workspace.LabelIndex}) is the selector run on every drive, and a
 * pool's lazily re-sorted least-filled order is the order of the drives' current fill.
 */
class WorkspaceIndexProperties {

    private static final String[] KEYS = {"model", "media", "rack", "zone"};
    private static final String[] VALUES = {"a", "b", "c"};

    @Property(tries = 200)
    void poolMembersAreTheDrivesTheirClassesSelect(@ForAll long seed) {
        Random r = new Random(seed);
        List<Target> targets = new ArrayList<>();
        for (int t = 0; t < 1 + r.nextInt(12); t++) {
            List<Drive> drives = new ArrayList<>();
            for (int d = 0; d < 1 + r.nextInt(6); d++) {
                drives.add(new Drive("t" + t + "-d" + d, (1 + r.nextInt(4)) * Fleet.G,
                        r.nextInt(8) == 0 ? DriveHealth.FAILED : DriveHealth.OK, labels(r)));
            }
            targets.add(Target.of("t" + t, labels(r), drives));
        }
        Inventory inv = Inventory.of(targets);
        List<DriveClass> driveClasses = new ArrayList<>();
        List<TargetClass> targetClasses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            driveClasses.add(new DriveClass(Metadata.named("dc" + i), selector(r), List.of()));
            targetClasses.add(new TargetClass(Metadata.named("tc" + i), selector(r), List.of()));
        }
        List<VolumePolicy> policies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            List<String> dcs = r.nextBoolean() ? List.of() : List.of("dc" + r.nextInt(4), "dc" + r.nextInt(4));
            List<String> tcs = r.nextBoolean() ? List.of() : List.of("tc" + r.nextInt(4));
            policies.add(new VolumePolicy(Metadata.named("p" + i), Layout.CONCATENATED, 1,
                    VolumePolicy.DEFAULT_STRIPE_SIZE, 0, 0, 0, Protection.FULL, null, dcs.stream().distinct().toList(),
                    tcs, false, false));
        }
        DesiredState desired = new DesiredState(policies, driveClasses, targetClasses, List.of(), List.of());
        Workspace ws = new Workspace(inv, Allocations.EMPTY, desired);
        for (VolumePolicy p : policies) {
            List<String> expected = new ArrayList<>();
            for (Target t : inv.targets()) { // sorted by id: t10 comes before t2
                for (Drive d : t.drives()) {
                    boolean drive = p.driveClasses().isEmpty() || p.driveClasses().stream().anyMatch(
                            n -> driveClasses.get(n.charAt(2) - '0').selector().matches(d.labels()));
                    boolean target = p.targetClasses().isEmpty() || p.targetClasses().stream().anyMatch(
                            n -> targetClasses.get(n.charAt(2) - '0').selector().matches(t.labels()));
                    if (drive && target && d.health() == DriveHealth.OK) {
                        expected.add(d.serial());
                    }
                }
            }
            assertThat(ws.pool(p).all).extracting(d -> d.serial).as("pool of %s", p.name())
                    .containsExactlyElementsOf(expected);
        }
    }

    @Property(tries = 200)
    void leastFilledIsTheOrderOfTheCurrentFill(@ForAll long seed) {
        Random r = new Random(seed);
        Inventory inv = Fleet.of(2 + r.nextInt(6), 1 + r.nextInt(4), 4);
        Workspace ws = new Workspace(inv, Allocations.EMPTY, DesiredState.of(List.of(), List.of()));
        CandidatePool pool = ws.pool(Fleet.policy("p", Layout.CONCATENATED));
        List<long[]> taken = new ArrayList<>();
        Map<Long, DriveSpace> on = new HashMap<>();
        Comparator<DriveSpace> fill = Comparator.comparingDouble(DriveSpace::ratio)
                .thenComparingInt(d -> d.tieBreak).thenComparing(d -> d.serial);
        for (int step = 0; step < 60; step++) {
            if (!taken.isEmpty() && r.nextInt(3) == 0) {
                long[] t = taken.remove(r.nextInt(taken.size()));
                ws.release(on.remove(t[0] * 1_000_000 + t[1]), t[1], t[2]);
            } else {
                DriveSpace d = pool.all.get(r.nextInt(pool.all.size()));
                long length = (1 + r.nextInt(512)) * Extent.ALIGNMENT;
                if (d.largestFree() >= length) {
                    long offset = ws.allocate(d, length);
                    taken.add(new long[] {d.index, offset, length});
                    on.put((long) d.index * 1_000_000 + offset, d);
                }
            }
            if (r.nextInt(4) == 0) {
                List<DriveSpace> expected = pool.all.stream().sorted(fill).toList();
                List<DriveSpace> order = new ArrayList<>();
                pool.leastFilled().forEach(order::add);
                assertThat(order).containsExactlyElementsOf(expected);
                int from = r.nextInt(expected.size());
                boolean inclusive = r.nextBoolean();
                List<DriveSpace> tail = new ArrayList<>();
                Iterator<DriveSpace> it = pool.leastFilledFrom(expected.get(from), inclusive);
                it.forEachRemaining(tail::add);
                assertThat(tail).containsExactlyElementsOf(expected.subList(inclusive ? from : from + 1,
                        expected.size()));
            }
        }
    }

    private static Map<String, String> labels(Random r) {
        Map<String, String> out = new HashMap<>();
        for (String k : KEYS) {
            if (r.nextInt(3) > 0) {
                out.put(k, VALUES[r.nextInt(VALUES.length)]);
            }
        }
        return out;
    }

    private static LabelSelector selector(Random r) {
        Map<String, String> match = new HashMap<>();
        if (r.nextInt(3) == 0) {
            match.put(KEYS[r.nextInt(KEYS.length)], VALUES[r.nextInt(VALUES.length)]);
        }
        List<LabelSelector.Requirement> expressions = new ArrayList<>();
        for (int i = 0; i < r.nextInt(3); i++) {
            LabelSelector.Operator op = LabelSelector.Operator.values()[r.nextInt(4)];
            boolean values = op == LabelSelector.Operator.In || op == LabelSelector.Operator.NotIn;
            expressions.add(new LabelSelector.Requirement(KEYS[r.nextInt(KEYS.length)], op,
                    values ? List.of(VALUES[r.nextInt(VALUES.length)], VALUES[r.nextInt(VALUES.length)]).stream()
                            .distinct().toList() : List.of()));
        }
        return new LabelSelector(match, expressions);
    }
}
