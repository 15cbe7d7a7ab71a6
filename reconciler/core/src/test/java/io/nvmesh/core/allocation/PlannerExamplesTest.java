package io.nvmesh.core.allocation;

import static io.nvmesh.core.allocation.Fleet.G;
import static io.nvmesh.core.allocation.Fleet.policy;
import static io.nvmesh.core.allocation.Fleet.volume;
import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.DriveClass;
import io.nvmesh.schema.DriveIntent;
import io.nvmesh.schema.LabelSelector;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Protection;
import io.nvmesh.schema.TargetClass;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PlannerExamplesTest {

    static Stream<Arguments> minimalTopologies() {
        return Stream.of(
                Arguments.of(policy("p", Layout.CONCATENATED), 1, 1),
                Arguments.of(policy("p", Layout.RAID1), 2, 1),
                Arguments.of(policy("p", Layout.RAID1, 1, 2, 0, 0, Protection.FULL, null), 3, 1),
                Arguments.of(policy("p", Layout.RAID10), 2, 2),
                Arguments.of(policy("p", Layout.RAID10, 3, 2, 0, 0, Protection.FULL, null), 3, 3),
                Arguments.of(policy("p", Layout.ERASURE_CODING), 10, 1),
                Arguments.of(policy("p", Layout.ERASURE_CODING, 1, 0, 4, 2, Protection.FULL, null), 6, 1),
                Arguments.of(policy("p", Layout.STRIPED_ERASURE_CODING, 2, 0, 4, 2, Protection.FULL, null), 6, 2));
    }

    @ParameterizedTest
    @MethodSource("minimalTopologies")
    void placesEachLayoutOnItsMinimalTopology(VolumePolicy p, int targets, int drives) {
        Inventory inv = Fleet.of(targets, drives, 100);
        Plan plan = Planner.plan(inv, Allocations.EMPTY, DesiredState.of(List.of(p), List.of(volume("v", "p", 8))));

        assertThat(plan.unplaceable()).isEmpty();
        Allocations after = Allocations.EMPTY.apply(plan);
        assertThat(StateChecker.check(inv, after)).isEmpty();
        assertThat(after.volume("v").orElseThrow().placedCapacity()).isGreaterThanOrEqualTo(8 * G);
    }

    @ParameterizedTest
    @MethodSource("minimalTopologies")
    void oneTargetFewerFailsWithTheReasonAndChangesNothing(VolumePolicy p, int targets, int drives) {
        if (p.groupSize() == 1) {
            return; // unprotected layouts have no minimum number of targets
        }
        Inventory inv = Fleet.of(targets - 1, drives, 100);
        Plan plan = Planner.plan(inv, Allocations.EMPTY, DesiredState.of(List.of(p), List.of(volume("v", "p", 8))));

        assertThat(plan.unplaceable()).hasSize(1);
        assertThat(plan.unplaceable().get(0).reason()).startsWith("cannot place volume v (" + p.layout())
                .contains("only " + (targets - 1) + " target").contains("needs " + p.groupSize() + ")");
        assertThat(Allocations.EMPTY.apply(plan)).isEqualTo(Allocations.EMPTY);
        assertThat(plan.after()).isEqualTo(plan.before());
    }

    @Test
    void erasureCoding8Plus2NeedsTenTargetsAndSaysSo() {
        VolumePolicy ec = policy("ec", Layout.ERASURE_CODING);
        Plan plan = Planner.plan(Fleet.of(9, 2, 100), Allocations.EMPTY,
                DesiredState.of(List.of(ec), List.of(volume("db-01", "ec", 80))));

        assertThat(plan.unplaceable()).singleElement().extracting(Action::reason).isEqualTo(
                "cannot place volume db-01 (erasure-coding 8+2, 10 segments of 10 GiB): only 9 targets have 10 GiB"
                        + " free (a group of 10 needs 10)");
    }

    @Test
    void reasonNamesTheFailureDomainAndDriveClassThatBite() {
        DriveClass gen4 = new DriveClass(Metadata.named("nvme-gen4"), new LabelSelector(Map.of(), List.of()), List.of());
        VolumePolicy p = new VolumePolicy(Metadata.named("db"), Layout.RAID10, 4, VolumePolicy.DEFAULT_STRIPE_SIZE, 2,
                0, 0, Protection.FULL, "rack", List.of("nvme-gen4"), List.of(), false, false);
        DesiredState desired = new DesiredState(List.of(p), List.of(gen4), List.of(), List.of(volume("db-01", "db", 1024)),
                List.of());

        Plan plan = Planner.plan(Fleet.inRacks(6, 4, 1000, 2), Allocations.EMPTY, desired);

        assertThat(plan.unplaceable()).singleElement().extracting(Action::reason).isEqualTo(
                "cannot place volume db-01 (raid10, 4 stripes × 3 copies of 256 GiB): only 2 targets in distinct"
                        + " racks have 256 GiB free on drive class nvme-gen4 (a group of 3 needs 3)");
    }

    @Test
    void placesOnlyOnDrivesOfAnyNamedDriveClassOnTargetsOfTheTargetClass() {
        // 8 targets in racks r1..r4, half of them "fast"; per target drives labelled gen4, gen5 or sata.
        List<Target> ts = new ArrayList<>();
        for (int t = 1; t <= 8; t++) {
            String id = String.format("t%02d", t);
            List<Drive> ds = new ArrayList<>();
            for (String gen : List.of("gen4", "gen5", "sata")) {
                ds.add(new Drive(id + "-" + gen, 100 * G, DriveHealth.OK, Map.of("gen", gen)));
            }
            ts.add(Target.of(id, Map.of("rack", "r" + ((t - 1) % 4 + 1), "tier", t % 2 == 0 ? "fast" : "slow"), ds));
        }
        Inventory inv = Inventory.of(ts);
        DriveClass gen4 = new DriveClass(Metadata.named("gen4"), new LabelSelector(Map.of("gen", "gen4"), List.of()),
                List.of());
        DriveClass gen5 = new DriveClass(Metadata.named("gen5"), new LabelSelector(Map.of("gen", "gen5"), List.of()),
                List.of());
        TargetClass fast = new TargetClass(Metadata.named("fast"), new LabelSelector(Map.of("tier", "fast"), List.of()),
                List.of());
        VolumePolicy nvme = new VolumePolicy(Metadata.named("nvme"), Layout.RAID1, 1, VolumePolicy.DEFAULT_STRIPE_SIZE,
                1, 0, 0, Protection.FULL, null, List.of("gen4", "gen5"), List.of("fast"), false, false);
        VolumePolicy anyGen4 = new VolumePolicy(Metadata.named("any-gen4"), Layout.CONCATENATED, 1,
                VolumePolicy.DEFAULT_STRIPE_SIZE, 0, 0, 0, Protection.FULL, null, List.of("gen4"), List.of(), false, false);
        List<Volume> volumes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            volumes.add(volume("n" + i, "nvme", 30));
            volumes.add(volume("c" + i, "any-gen4", 30));
        }
        DesiredState desired = new DesiredState(List.of(nvme, anyGen4), List.of(gen4, gen5), List.of(fast), volumes,
                List.of());

        Plan plan = Planner.plan(inv, Allocations.EMPTY, desired);
        Allocations after = Allocations.EMPTY.apply(plan);

        assertThat(plan.unplaceable()).isEmpty();
        assertThat(StateChecker.check(inv, after)).isEmpty();
        Set<String> nvmeSerials = new HashSet<>();
        Set<String> gen4Serials = new HashSet<>();
        for (VolumeAllocation v : after.volumes()) {
            v.extents().forEach(e -> (v.volume().startsWith("n") ? nvmeSerials : gen4Serials).add(e.serial()));
        }
        assertThat(nvmeSerials).isNotEmpty().allMatch(s -> s.endsWith("-gen4") || s.endsWith("-gen5"))
                .allMatch(s -> Integer.parseInt(s.substring(1, 3)) % 2 == 0);
        assertThat(gen4Serials).isNotEmpty().allMatch(s -> s.endsWith("-gen4"));
        // Six least-filled picks among eight gen4 drives, only four of them on fast targets: some land on slow ones.
        assertThat(gen4Serials).anyMatch(s -> Integer.parseInt(s.substring(1, 3)) % 2 == 1);
    }

    @Test
    void minimalProtectionDoublesUpOnlyWhenOnePerTargetIsImpossible() {
        VolumePolicy ec = policy("ec", Layout.ERASURE_CODING, 1, 0, 8, 2, Protection.MINIMAL, null);
        DesiredState desired = DesiredState.of(List.of(ec), List.of(volume("v", "ec", 8)));

        Allocations onTen = Allocations.EMPTY.apply(Planner.plan(Fleet.of(10, 2, 100), Allocations.EMPTY, desired));
        Allocations onFive = Allocations.EMPTY.apply(Planner.plan(Fleet.of(5, 2, 100), Allocations.EMPTY, desired));

        assertThat(targetsOfGroup(Fleet.of(10, 2, 100), onTen)).hasSize(10);
        assertThat(targetsOfGroup(Fleet.of(5, 2, 100), onFive)).hasSize(5);
        assertThat(StateChecker.check(Fleet.of(5, 2, 100), onFive)).isEmpty();
        assertThat(Planner.plan(Fleet.of(4, 3, 100), Allocations.EMPTY, desired).unplaceable()).hasSize(1);
    }

    @Test
    void raid0SpreadsItsStripesOverDistinctDrivesAndSharesADriveOnlyWhenAllowed() {
        VolumePolicy r0 = policy("r0", Layout.RAID0, 4, 0, 0, 0, Protection.FULL, null);
        VolumePolicy shared = policy("r0", Layout.RAID0, 4, 0, 0, 0, Protection.FULL, null, true);
        DesiredState desired = DesiredState.of(List.of(r0), List.of(volume("v", "r0", 8)));
        DesiredState allowed = DesiredState.of(List.of(shared), List.of(volume("v", "r0", 8)));

        Allocations wide = Allocations.EMPTY.apply(Planner.plan(Fleet.of(2, 2, 100), Allocations.EMPTY, desired));
        Plan refused = Planner.plan(Fleet.of(1, 2, 100), Allocations.EMPTY, desired);
        Allocations narrow = Allocations.EMPTY.apply(Planner.plan(Fleet.of(1, 2, 100), Allocations.EMPTY, allowed));

        assertThat(serials(wide)).hasSize(4);
        assertThat(refused.unplaceable()).singleElement().extracting(Action::reason).asString()
                .contains("stripe width 4 needs 4 distinct drives per chunk, the fleet offers 2 drives");
        assertThat(serials(narrow)).hasSize(2);
        assertThat(StateChecker.check(Fleet.of(1, 2, 100), narrow)).isEmpty();
    }

    @Test
    void extendAddsAChunkAndKeepsExistingExtents() {
        Inventory inv = Fleet.of(3, 2, 100);
        VolumePolicy r1 = policy("r1", Layout.RAID1);
        Allocations first = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY,
                DesiredState.of(List.of(r1), List.of(volume("v", "r1", 10)))));

        Plan plan = Planner.plan(inv, first, DesiredState.of(List.of(r1), List.of(volume("v", "r1", 30))));
        Allocations second = first.apply(plan);

        assertThat(plan.actions()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(ActionKind.EXTEND);
            assertThat(a.sizeBefore()).isEqualTo(10 * G);
            assertThat(a.sizeAfter()).isEqualTo(30 * G);
        });
        VolumeAllocation v = second.volume("v").orElseThrow();
        assertThat(v.chunks().get(0)).isEqualTo(first.volume("v").orElseThrow().chunks().get(0));
        assertThat(v.placedCapacity()).isEqualTo(30 * G);
        assertThat(StateChecker.check(inv, second)).isEmpty();
    }

    @Test
    void deleteFreesItsExtents() {
        Inventory inv = Fleet.of(2, 1, 100);
        VolumePolicy r1 = policy("r1", Layout.RAID1);
        DesiredState desired = DesiredState.of(List.of(r1), List.of(volume("a", "r1", 60)));
        Allocations one = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));

        Plan plan = Planner.plan(inv, one, DesiredState.of(List.of(r1), List.of(volume("b", "r1", 60))));

        assertThat(plan.actions()).extracting(Action::kind).containsExactly(ActionKind.DELETE, ActionKind.CREATE);
        assertThat(plan.unplaceable()).isEmpty();
        assertThat(one.apply(plan).volumes()).extracting(VolumeAllocation::volume).containsExactly("b");
    }

    @Test
    void evacuationMovesOnlyTheSegmentsOnThatDriveAndKeepsProtection() {
        Inventory inv = Fleet.of(4, 2, 100);
        VolumePolicy r10 = policy("r10", Layout.RAID10);
        DesiredState desired = DesiredState.of(List.of(r10), List.of(volume("a", "r10", 20), volume("b", "r10", 20)));
        Allocations before = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        String victim = before.volume("a").orElseThrow().extents().get(0).serial();

        Plan plan = Planner.plan(inv, before, desired.withDriveIntents(List.of(
                new DriveIntent(Metadata.named("evac"), victim, false, true))));
        Allocations after = before.apply(plan);

        assertThat(plan.actions()).isNotEmpty().allSatisfy(a -> {
            assertThat(a.kind()).isEqualTo(ActionKind.MOVE);
            assertThat(a.outcome()).isEqualTo(Outcome.PLACED);
            assertThat(a.move().from().serial()).isEqualTo(victim);
            assertThat(a.move().cause()).isEqualTo("evacuate drive " + victim);
        });
        assertThat(serials(after)).doesNotContain(victim);
        assertThat(changedExtents(before, after)).hasSize(plan.actions().size());
        assertThat(StateChecker.check(inv, after)).isEmpty();
    }

    @Test
    void failedDriveSegmentsAreRebuiltElsewhere() {
        Inventory inv = Fleet.of(3, 1, 100);
        VolumePolicy r1 = policy("r1", Layout.RAID1);
        DesiredState desired = DesiredState.of(List.of(r1), List.of(volume("a", "r1", 20)));
        Allocations before = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        String victim = before.volume("a").orElseThrow().extents().get(1).serial();
        Inventory broken = Fleet.withDrive(inv, victim, d -> d.withHealth(DriveHealth.FAILED));

        Plan plan = Planner.plan(broken, before, desired);
        Allocations after = before.apply(plan);

        assertThat(plan.actions()).singleElement().satisfies(a -> assertThat(a.move().cause())
                .isEqualTo("rebuild: drive " + victim + " failed"));
        assertThat(StateChecker.check(broken, after)).isEmpty();
        assertThat(plan.after().offline()).isEqualTo(100 * G);
    }

    @Test
    void aConcatenatedVolumeOnAFailedDriveIsNotRebuiltFromNothing() {
        Inventory inv = Fleet.of(3, 1, 100);
        DesiredState desired = DesiredState.of(List.of(policy("c", Layout.CONCATENATED)),
                List.of(volume("cc", "c", 20)));
        Allocations before = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        String victim = before.volume("cc").orElseThrow().extents().get(0).serial();
        Inventory broken = failed(inv, victim);

        Plan plan = Planner.plan(broken, before, desired);

        assertThat(plan.changesState()).isFalse();
        assertThat(before.apply(plan)).isEqualTo(before);
        assertThat(plan.actions()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(ActionKind.MOVE);
            assertThat(a.outcome()).isEqualTo(Outcome.UNPLACEABLE);
            assertThat(a.reason()).isEqualTo("cannot rebuild segment 0 of group 0 in chunk 0 of volume cc off drive "
                    + victim + " (drive " + victim + " failed): no live copy is left in its group to rebuild it from;"
                    + " the data is lost, and nothing is placed until the annotation nvmesh.io/accept-data-loss: "
                    + victim + " accepts the loss");
        });
        assertThat(LiveCopies.of(broken).lost(before.volume("cc").orElseThrow()))
                .containsExactly(new LiveCopies.LostGroup(0, 0, 0, 1, List.of(victim)));
        assertThat(plan.after()).isEqualTo(plan.before());
    }

    @Test
    void raid0LosesOnlyTheStripesOnTheFailedDriveAndMovesNothing() {
        Inventory inv = Fleet.of(4, 1, 100);
        DesiredState desired = DesiredState.of(List.of(policy("r0", Layout.RAID0, 4, 0, 0, 0, Protection.FULL, null)),
                List.of(volume("v", "r0", 8)));
        Allocations before = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        String victim = before.volume("v").orElseThrow().chunks().get(0).groups().get(2).segments().get(0).extent()
                .serial();

        Plan plan = Planner.plan(failed(inv, victim), before, desired);

        assertThat(plan.changesState()).isFalse();
        assertThat(plan.actions()).singleElement().satisfies(a -> assertThat(a.move().group()).isEqualTo(2));
    }

    @Test
    void raid1WithEveryCopyFailedIsNotRebuiltAndWithOneLeftIsRebuiltFromIt() {
        Inventory inv = Fleet.of(5, 1, 100);
        VolumePolicy triple = policy("r1", Layout.RAID1, 1, 2, 0, 0, Protection.FULL, null);
        DesiredState desired = DesiredState.of(List.of(triple), List.of(volume("a", "r1", 20)));
        Allocations before = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        List<String> copies = before.volume("a").orElseThrow().extents().stream().map(Extent::serial).toList();

        Plan twoFailed = Planner.plan(failed(inv, copies.get(0), copies.get(2)), before, desired);
        Plan allFailed = Planner.plan(failed(inv, copies.toArray(String[]::new)), before, desired);

        assertThat(twoFailed.actions()).hasSize(2).allSatisfy(a -> {
            assertThat(a.outcome()).isEqualTo(Outcome.PLACED);
            assertThat(a.move().cause()).startsWith("rebuild: drive ");
        });
        assertThat(allFailed.actions()).hasSize(3).allSatisfy(a -> {
            assertThat(a.outcome()).isEqualTo(Outcome.UNPLACEABLE);
            assertThat(a.reason()).contains("no live copy is left in its group");
        });
        assertThat(allFailed.changesState()).isFalse();
    }

    @Test
    void raid10RebuildsTheGroupThatKeptACopyAndLeavesTheOneThatLostBoth() {
        Inventory inv = Fleet.of(6, 1, 100);
        DesiredState desired = DesiredState.of(List.of(policy("r10", Layout.RAID10)), List.of(volume("v", "r10", 8)));
        Allocations before = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        List<Group> groups = before.volume("v").orElseThrow().chunks().get(0).groups();
        String halfOf0 = groups.get(0).segments().get(1).extent().serial();
        String first1 = groups.get(1).segments().get(0).extent().serial();
        String second1 = groups.get(1).segments().get(1).extent().serial();

        Plan plan = Planner.plan(failed(inv, halfOf0, first1, second1), before, desired);

        assertThat(plan.actions()).extracting(a -> a.move().group() + " " + a.outcome())
                .containsExactly("0 PLACED", "1 UNPLACEABLE", "1 UNPLACEABLE");
        assertThat(plan.actions().get(0).move().from().serial()).isEqualTo(halfOf0);
    }

    @Test
    void erasureCodingRebuildsUpToParityBlocksLostAndNotOneMore() {
        Inventory inv = Fleet.of(9, 1, 100);
        VolumePolicy ec = policy("ec", Layout.ERASURE_CODING, 1, 0, 4, 2, Protection.FULL, null);
        DesiredState desired = DesiredState.of(List.of(ec), List.of(volume("v", "ec", 8)));
        Allocations before = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        List<String> serials = before.volume("v").orElseThrow().extents().stream().map(Extent::serial).toList();

        Plan two = Planner.plan(failed(inv, serials.get(0), serials.get(5)), before, desired);
        Plan three = Planner.plan(failed(inv, serials.get(0), serials.get(3), serials.get(5)), before, desired);

        assertThat(two.actions()).hasSize(2).allSatisfy(a -> assertThat(a.outcome()).isEqualTo(Outcome.PLACED));
        assertThat(StateChecker.check(failed(inv, serials.get(0), serials.get(5)), before.apply(two))).isEmpty();
        assertThat(three.changesState()).isFalse();
        assertThat(three.actions()).hasSize(3).allSatisfy(a -> assertThat(a.reason())
                .contains("fewer than the 4 live segments needed to rebuild it are left in its group"));
        assertThat(LiveCopies.of(failed(inv, serials.get(0), serials.get(3), serials.get(5)))
                .lost(before.volume("v").orElseThrow())).singleElement()
                .satisfies(l -> assertThat(l.describe()).isEqualTo("chunk 0 group 0 keeps 3 of the 4 segments needed"
                        + " to rebuild it (drives " + String.join(", ", new java.util.TreeSet<>(List.of(serials.get(0),
                        serials.get(3), serials.get(5)))) + " failed)"));
    }

    @Test
    void aCopyOnAMissingDriveMakesTheGroupWaitInsteadOfLost() {
        Inventory inv = Fleet.of(3, 1, 100);
        DesiredState desired = DesiredState.of(List.of(policy("r1", Layout.RAID1)), List.of(volume("a", "r1", 20)));
        Allocations before = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        VolumeAllocation a = before.volume("a").orElseThrow();
        String dead = a.extents().get(0).serial();
        String away = a.extents().get(1).serial();
        Inventory waiting = Fleet.withDrive(failed(inv, dead), away, d -> d.withHealth(DriveHealth.MISSING));

        Plan plan = Planner.plan(waiting, before, desired);

        assertThat(plan.changesState()).isFalse();
        assertThat(plan.actions()).singleElement().extracting(Action::reason).asString()
                .endsWith("no live copy is left in its group to rebuild it from; nothing is rebuilt while waiting for"
                        + " drive " + away + " (missing) to reappear");
        assertThat(LiveCopies.of(waiting).lost(a)).isEmpty();
        assertThat(LiveCopies.of(waiting).unavailable(a)).singleElement()
                .satisfies(u -> assertThat(u.missing()).containsExactly(away));
        assertThat(LiveCopies.of(failed(inv, dead, away)).lost(a)).hasSize(1);
    }

    @Test
    void acceptingTheLossInTheAnnotationRecreatesOnlyGroupsWhoseFailedDrivesItNames() {
        Inventory inv = Fleet.of(6, 1, 100);
        VolumePolicy r10 = policy("r10", Layout.RAID10);
        DesiredState desired = DesiredState.of(List.of(r10), List.of(volume("v", "r10", 8)));
        Allocations before = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        List<Group> groups = before.volume("v").orElseThrow().chunks().get(0).groups();
        List<String> g0 = groups.get(0).segments().stream().map(x -> x.extent().serial()).toList();
        List<String> g1 = groups.get(1).segments().stream().map(x -> x.extent().serial()).toList();
        Inventory broken = failed(inv, g0.get(0), g0.get(1), g1.get(0), g1.get(1));

        // Group 0 fully accepted; group 1 only half: it stays failed.
        Plan plan = Planner.plan(broken, before, DesiredState.of(List.of(r10), List.of(accepting(volume("v", "r10", 8),
                g0.get(0) + ", " + g0.get(1) + "," + g1.get(0)))));
        Allocations after = before.apply(plan);

        assertThat(plan.actions()).extracting(a -> a.move().group() + " " + a.outcome()).containsExactly(
                "0 PLACED", "0 PLACED", "1 UNPLACEABLE", "1 UNPLACEABLE");
        assertThat(plan.actions().get(0).move().cause()).isEqualTo("recreate empty: data loss on drive " + g0.get(0)
                + " accepted by annotation nvmesh.io/accept-data-loss");
        assertThat(LiveCopies.of(broken).lost(after.volume("v").orElseThrow())).extracting(LiveCopies.LostGroup::group)
                .containsExactly(1);
        assertThat(Planner.plan(broken, before, desired).changesState()).as("without the annotation").isFalse();
    }

    @Test
    void aGroupWithoutEnoughLiveCopiesIsNeitherEvacuatedNorRecreatedAndEvacuatesOnceRecreated() {
        Inventory inv = Fleet.of(6, 1, 100);
        VolumePolicy ec = policy("ec", Layout.ERASURE_CODING, 1, 0, 2, 1, Protection.FULL, null);
        DesiredState desired = DesiredState.of(List.of(ec), List.of(volume("v", "ec", 8)));
        Allocations before = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        List<String> serials = before.volume("v").orElseThrow().extents().stream().map(Extent::serial).toList();
        Inventory broken = failed(inv, serials.get(0), serials.get(1));
        List<DriveIntent> evacuate = List.of(new DriveIntent(Metadata.named("retire"), serials.get(2), false, true));

        Plan frozen = Planner.plan(broken, before, desired.withDriveIntents(evacuate));
        Plan accepted = Planner.plan(broken, before, DesiredState.of(List.of(ec),
                List.of(accepting(volume("v", "ec", 8), serials.get(0) + "," + serials.get(1))))
                .withDriveIntents(evacuate));
        Allocations recreated = before.apply(accepted);

        assertThat(frozen.changesState()).isFalse();
        assertThat(frozen.actions()).extracting(Action::reason).last().asString().isEqualTo("cannot move segment 2 of"
                + " group 0 in chunk 0 of volume v off drive " + serials.get(2) + " (evacuate drive " + serials.get(2)
                + "): its group lost its data (drives " + String.join(", ", new java.util.TreeSet<>(serials.subList(0,
                2))) + " failed), so its segments stay where they are until the annotation"
                + " nvmesh.io/accept-data-loss: " + String.join(",", new java.util.TreeSet<>(serials.subList(0, 2)))
                + " accepts the loss");
        assertThat(accepted.actions()).extracting(a -> a.move().segment() + " " + a.outcome())
                .containsExactly("0 PLACED", "1 PLACED", "2 UNPLACEABLE");
        assertThat(Planner.plan(broken, recreated, desired.withDriveIntents(evacuate)).actions()).singleElement()
                .satisfies(a -> assertThat(a.move().cause()).isEqualTo("evacuate drive " + serials.get(2)));
    }

    @Test
    void theAnnotationDoesNotRecreateAGroupThatStillHasALiveCopy() {
        Inventory inv = Fleet.of(3, 1, 100);
        DesiredState desired = DesiredState.of(List.of(policy("r1", Layout.RAID1)), List.of(volume("a", "r1", 20)));
        Allocations before = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        String dead = before.volume("a").orElseThrow().extents().get(0).serial();

        Plan plan = Planner.plan(failed(inv, dead), before, DesiredState.of(desired.policies(),
                List.of(accepting(volume("a", "r1", 20), dead))));

        assertThat(plan.actions()).singleElement().satisfies(a -> assertThat(a.move().cause())
                .isEqualTo("rebuild: drive " + dead + " failed"));
    }

    @Test
    void aDriveMovedToAnotherTargetKeepsItsExtentsUnlessItBreaksSeparation() {
        Inventory inv = Fleet.of(3, 2, 100);
        VolumePolicy r1 = policy("r1", Layout.RAID1);
        DesiredState desired = DesiredState.of(List.of(r1), List.of(volume("a", "r1", 20)));
        Allocations before = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        List<Extent> extents = before.volume("a").orElseThrow().extents();
        String copy0 = extents.get(0).serial();
        String copy1 = extents.get(1).serial();
        String third = inv.targets().stream().map(Target::id)
                .filter(t -> !t.equals(Fleet.targetOf(inv, extents.get(0))) && !t.equals(Fleet.targetOf(inv, extents.get(1))))
                .findFirst().orElseThrow();

        Inventory harmless = Fleet.moveDrive(inv, copy1, third);
        assertThat(Planner.plan(harmless, before, desired).actions()).isEmpty();

        Inventory clash = Fleet.moveDrive(inv, copy1, Fleet.targetOf(inv, extents.get(0)));
        assertThat(StateChecker.check(clash, before)).extracting(Violation::kind).containsExactly(Violation.Kind.PROTECTION);
        Plan plan = Planner.plan(clash, before, desired);
        assertThat(plan.actions()).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo(Outcome.PLACED);
            assertThat(a.move().from().serial()).isEqualTo(copy1);
            assertThat(a.move().cause()).startsWith("separation: drive " + copy1);
        });
        assertThat(StateChecker.check(clash, before.apply(plan))).isEmpty();
        assertThat(before.apply(plan).volume("a").orElseThrow().extents().get(0).serial()).isEqualTo(copy0);
    }

    @Test
    void maxCapacityTakesAllTheSpaceThePolicyCanPlace() {
        Inventory inv = Fleet.of(2, 2, 100);
        VolumePolicy r1 = policy("r1", Layout.RAID1);
        DesiredState desired = DesiredState.of(List.of(r1), List.of(Fleet.maxVolume("big", "r1")));

        assertThat(Planner.largestVolume(inv, Allocations.EMPTY, desired, "r1")).isEqualTo(200 * G);
        Allocations after = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));

        assertThat(after.volume("big").orElseThrow().size()).isEqualTo(200 * G);
        assertThat(Planner.largestVolume(inv, after, desired, "r1")).isZero();
        assertThat(StateChecker.check(inv, after)).isEmpty();
    }

    @Test
    void aVolumeLargerThanAnyDriveIsSplitIntoChunks() {
        Inventory inv = Fleet.of(2, 3, 100);
        VolumePolicy r1 = policy("r1", Layout.RAID1);
        Plan plan = Planner.plan(inv, Allocations.EMPTY, DesiredState.of(List.of(r1), List.of(volume("v", "r1", 250))));

        assertThat(plan.unplaceable()).isEmpty();
        VolumeAllocation v = Allocations.EMPTY.apply(plan).volume("v").orElseThrow();
        assertThat(v.chunks()).hasSizeGreaterThan(1);
        assertThat(v.placedCapacity()).isGreaterThanOrEqualTo(250 * G);
    }

    @Test
    void cordonedAndFailedDrivesAndUnhealthyTargetsReceiveNothing() {
        Inventory inv = Fleet.of(4, 1, 100);
        inv = Fleet.withDrive(inv, "t01-d1", d -> d.withHealth(DriveHealth.FAILED));
        inv = Fleet.withDrive(inv, "t02-d1", d -> d.withHealth(DriveHealth.CORDONED));
        Inventory finalInv = inv;
        Target t3 = finalInv.targets().get(2).withHealth(TargetHealth.UNHEALTHY);
        inv = new Inventory(List.of(finalInv.targets().get(0), finalInv.targets().get(1), t3, finalInv.targets().get(3)),
                List.of());
        DesiredState desired = DesiredState.of(List.of(policy("c", Layout.CONCATENATED)), List.of(volume("v", "c", 10)))
                .withDriveIntents(List.of(new DriveIntent(Metadata.named("x"), "t04-d1", true, false)));

        Plan plan = Planner.plan(inv, Allocations.EMPTY, desired);

        assertThat(plan.unplaceable()).singleElement().extracting(Action::reason).asString()
                .contains("no healthy, uncordoned drive on a healthy target exists");
    }

    @Test
    void redundantSpaceFollowsTheLayout() {
        Inventory inv = Fleet.of(10, 1, 100);
        DesiredState raid1 = DesiredState.of(List.of(policy("r1", Layout.RAID1)), List.of(volume("v", "r1", 16)));
        DesiredState ec = DesiredState.of(List.of(policy("ec", Layout.ERASURE_CODING)), List.of(volume("v", "ec", 16)));

        Usage mirrored = Planner.plan(inv, Allocations.EMPTY, raid1).after();
        Usage coded = Planner.plan(inv, Allocations.EMPTY, ec).after();

        assertThat(mirrored.data()).isEqualTo(16 * G);
        assertThat(mirrored.redundant()).isEqualTo(16 * G);
        assertThat(coded.data()).isEqualTo(16 * G);
        assertThat(coded.redundant()).isEqualTo(4 * G);
    }

    private static Inventory failed(Inventory inv, String... serials) {
        for (String serial : serials) {
            inv = Fleet.withDrive(inv, serial, d -> d.withHealth(DriveHealth.FAILED));
        }
        return inv;
    }

    private static Volume accepting(Volume v, String serials) {
        return new Volume(new Metadata(v.name(), Map.of(), Map.of(Volume.ACCEPT_DATA_LOSS, serials)), v.policy(),
                v.capacity(), v.clients(), v.rebuildPriority(), v.deletionProtection());
    }

    private static Set<String> targetsOfGroup(Inventory inv, Allocations a) {
        Set<String> out = new HashSet<>();
        for (Extent e : a.volume("v").orElseThrow().extents()) {
            out.add(Fleet.targetOf(inv, e));
        }
        return out;
    }

    private static Set<String> serials(Allocations a) {
        Set<String> out = new HashSet<>();
        a.volumes().forEach(v -> v.extents().forEach(e -> out.add(e.serial())));
        return out;
    }

    private static List<Extent> changedExtents(Allocations before, Allocations after) {
        List<Extent> b = before.volumes().stream().flatMap(v -> v.extents().stream()).toList();
        return after.volumes().stream().flatMap(v -> v.extents().stream()).filter(e -> !b.contains(e)).toList();
    }
}
