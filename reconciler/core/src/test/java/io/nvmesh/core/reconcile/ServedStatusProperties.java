package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.DesiredState;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.ServedExtent;
import io.nvmesh.core.record.ServedLayout;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The status rules of served layouts ({@link Reconciliation} with {@link ServedIndex}), over generated fleets of
 * managed and unmanaged targets, desired sets that come and go, failed drives, and targets that ack (or not) what
 * they must serve, pass after pass. A raid0 volume that loses a stripe's drive settles failed, never online.
 */
class ServedStatusProperties {

    private static final long GIB = 1L << 30;

    /**
     * One pass: which volumes are desired (bit i: volume v-i), a drive to fail first (-1: none), and which targets
     * ack their layout after the pass (bit t).
     */
    record Step(int desired, int failDrive, int acks) {
    }

    record Scenario(int targets, int racks, int managed, List<Integer> sizes, List<Step> steps) {
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 255),
                Arbitraries.integers().between(-8, 15), Arbitraries.integers().between(0, 255)).as(Step::new);
        return Combinators.combine(Arbitraries.integers().between(3, 8), Arbitraries.integers().between(2, 3),
                Arbitraries.integers().between(0, 255),
                Arbitraries.integers().between(1, 60).list().ofMinSize(1).ofMaxSize(8),
                step.list().ofMinSize(1).ofMaxSize(6)).as(Scenario::new);
    }

    @Property(tries = 60)
    void statusesFollowWhatTargetsServeAndDeletingHoldsSpace(@ForAll("scenarios") Scenario s) {
        RecordedState state = RecordedState.empty().withInventory(fleet(s.targets(), s.racks(), s.managed()));
        for (Step step : s.steps()) {
            if (step.failDrive() >= 0) {
                state = state.withInventory(failed(state.inventory(), step.failDrive()));
            }
            DesiredState wanted = desired(s.sizes(), step.desired());
            RecordedState after = pass(state, wanted);
            check(state, after, wanted);
            state = acked(after, step.acks());
        }
        // Every target acks after every pass: everything settles (placed volumes served, removed ones gone).
        int all = (1 << s.targets()) - 1;
        DesiredState last = desired(s.sizes(), s.steps().get(s.steps().size() - 1).desired());
        for (int i = 0; i < 4; i++) {
            RecordedState after = pass(state, last);
            check(state, after, last);
            state = acked(after, all);
        }
        Set<String> wanted = new TreeSet<>();
        last.volumes().forEach(v -> wanted.add(v.name()));
        for (VolumeRecord r : state.volumes().values()) {
            assertThat(wanted).as("removed volumes are gone once released").contains(r.name());
            assertThat(r.status()).as("%s settled", r.name()).isIn(VolumeStatus.PENDING, VolumeStatus.ONLINE,
                    VolumeStatus.DEGRADED, VolumeStatus.FAILED);
        }
    }

    @Test
    void managedVolumesInitializeUntilAckedRebuildAfterAFailureAndReleaseBeforeTheirSpaceIsFreed() {
        RecordedState state = RecordedState.empty().withInventory(fleet(4, 2, 0b1111));
        DesiredState one = desired(List.of(10), 1);

        RecordedState placed = pass(state, one);
        assertThat(placed.volumes().get("v-0").status()).isEqualTo(VolumeStatus.INITIALIZING);
        assertThat(placed.volumes().get("v-0").reason()).startsWith("2 segment(s) not served");
        assertThat(pass(placed, one).volumes().get("v-0").status()).as("no ack, no change")
                .isEqualTo(VolumeStatus.INITIALIZING);
        RecordedState online = pass(acked(placed, 0b1111), one);
        assertThat(online.volumes().get("v-0").status()).isEqualTo(VolumeStatus.ONLINE);

        String serial = online.volumes().get("v-0").allocation().orElseThrow().extents().get(0).serial();
        RecordedState failed = online.withInventory(failed(online.inventory(), serial));
        RecordedState rebuilding = pass(acked(failed, 0b1111), one);
        assertThat(rebuilding.volumes().get("v-0").status()).isEqualTo(VolumeStatus.REBUILDING);
        assertThat(pass(acked(rebuilding, 0b1111), one).volumes().get("v-0").status()).isEqualTo(VolumeStatus.ONLINE);

        RecordedState served = acked(pass(acked(rebuilding, 0b1111), one), 0b1111);
        DesiredState none = desired(List.of(10), 0);
        RecordedState deleting = pass(served, none);
        VolumeRecord d = deleting.volumes().get("v-0");
        assertThat(d.status()).isEqualTo(VolumeStatus.DELETING);
        assertThat(d.allocation()).isEqualTo(served.volumes().get("v-0").allocation());
        assertThat(d.reason()).startsWith("deleting: waiting for t");
        assertThat(pass(acked(deleting, 0b0001), none).volumes()).as("one target released, others still serve")
                .containsKey("v-0");
        assertThat(pass(acked(deleting, 0b1111), none).volumes()).isEmpty();
    }

    @Test
    void anOnlineVolumeThatGrowsIsExtendingUntilItsNewSegmentsAreServedAndItsReasonDoesNotRepeatTheStatus() {
        RecordedState state = RecordedState.empty().withInventory(fleet(4, 2, 0b1111));
        RecordedState online = acked(pass(acked(pass(state, desired(List.of(10), 1)), 0b1111),
                desired(List.of(10), 1)), 0b1111);
        assertThat(online.volumes().get("v-0").status()).isEqualTo(VolumeStatus.ONLINE);
        DesiredState bigger = desired(List.of(20), 1);

        RecordedState grown = pass(online, bigger);
        VolumeRecord g = grown.volumes().get("v-0");
        assertThat(g.status()).as("not back to initializing: what it had is still served")
                .isEqualTo(VolumeStatus.EXTENDING);
        assertThat(g.reason()).matches("\\d+ new segment\\(s\\) not served yet by their targets")
                .doesNotContain("extending").doesNotContain("initializing");
        assertThat(pass(grown, bigger).volumes().get("v-0").status()).as("no ack, no change")
                .isEqualTo(VolumeStatus.EXTENDING);
        assertThat(pass(acked(grown, 0b1111), bigger).volumes().get("v-0").status()).isEqualTo(VolumeStatus.ONLINE);
    }

    @Test
    void fsckAcceptsADeletingVolumeWhosePolicyWentWithIt() {
        DesiredState one = desired(List.of(10), 1);
        RecordedState placed = acked(pass(RecordedState.empty().withInventory(fleet(4, 2, 0b1111)), one), 0b1111);
        RecordedState deleting = pass(acked(pass(placed, one), 0b1111), desired(List.of(10), 0));
        assertThat(deleting.volumes().get("v-0").status()).isEqualTo(VolumeStatus.DELETING);
        DesiredManifests noPolicies = DesiredManifests.load(new DesiredFiles("", new TreeMap<>(), Map.of()));

        List<FsckReport.Finding> findings = new ArrayList<>();
        Fsck.check(deleting, noPolicies, "c0ffee", findings);
        assertThat(findings).noneMatch(FsckReport.Finding::error);
        // The same record while desired would be an error: its policy is gone.
        VolumeRecord d = deleting.volumes().get("v-0");
        SortedMap<String, VolumeRecord> online = new TreeMap<>(Map.of("v-0", new VolumeRecord("v-0",
                VolumeStatus.ONLINE, "", false, d.policyFingerprint(), d.allocation())));
        findings.clear();
        Fsck.check(deleting.withVolumes(online), noPolicies, "c0ffee", findings);
        assertThat(findings).anyMatch(f -> f.error() && f.message().contains("does not exist"));
    }

    @Test
    void unmanagedTargetsCountAsServedAtOnce() {
        RecordedState state = RecordedState.empty().withInventory(fleet(4, 2, 0));
        RecordedState placed = pass(state, desired(List.of(10, 20), 0b11));
        assertThat(placed.volumes().values()).extracting(VolumeRecord::status).containsOnly(VolumeStatus.ONLINE);
        assertThat(pass(placed, desired(List.of(10, 20), 0b01)).volumes()).containsOnlyKeys("v-0");
    }

    // ---- checks -------------------------------------------------------------------------------------------------

    private static void check(RecordedState before, RecordedState after, DesiredState desired) {
        Map<String, Target> targetOf = new HashMap<>();
        Map<String, Drive> driveOf = new HashMap<>();
        for (Target t : after.inventory().targets()) {
            t.drives().forEach(d -> {
                targetOf.put(d.serial(), t);
                driveOf.put(d.serial(), d);
            });
        }
        for (VolumeRecord r : after.volumes().values()) {
            if (r.allocation().isEmpty()) {
                continue;
            }
            List<ServedExtent> missing = new ArrayList<>();
            for (ServedExtent e : ServedExtent.of(r.allocation().get())) {
                Target t = targetOf.get(e.serial());
                if (t != null && t.managed() && driveOf.get(e.serial()).health().online()
                        && !servedBy(after, t.id()).contains(e)) {
                    missing.add(e);
                }
            }
            switch (r.status()) {
                case ONLINE, DEGRADED -> {
                    assertThat(missing).as("%s is %s only when served", r.name(), r.status()).isEmpty();
                    assertThat(hasGroupWithoutLiveCopy(r, driveOf)).as("%s is %s with a group that lost every copy",
                            r.name(), r.status()).isFalse();
                }
                case INITIALIZING, EXTENDING, REBUILDING -> assertThat(missing).as("%s waits for a segment", r.name())
                        .isNotEmpty();
                case FAILED -> assertThat(hasGroupWithoutLiveCopy(r, driveOf))
                        .as("%s is failed only with a group that has no copy on an online drive", r.name()).isTrue();
                case DELETING -> {
                    assertThat(r.allocation()).as("a deleting volume keeps its extents")
                            .isEqualTo(before.volumes().get(r.name()).allocation());
                    assertThat(r.releasing()).as("%s is deleting while some target has not released it", r.name())
                            .isNotEmpty();
                }
                default -> {
                }
            }
        }
        for (VolumeRecord r : before.volumes().values()) {
            if (r.allocation().isPresent() && !after.volumes().containsKey(r.name())) {
                assertThat(holders(before, r)).as("%s freed while a target serves it", r.name()).isEmpty();
            }
        }
        assertThat(Transition.violations(before, after, DesiredFacts.of("c0ffee", desired), (a, d) -> false))
                .as("every pass keeps the safety rules").isEmpty();
        Map<String, List<Extent>> byDrive = new HashMap<>();
        after.allocations().volumes().forEach(a -> a.extents().forEach(e -> byDrive
                .computeIfAbsent(e.serial(), k -> new ArrayList<>()).add(e)));
        byDrive.values().forEach(list -> {
            list.sort((x, y) -> Long.compare(x.offset(), y.offset()));
            for (int i = 1; i < list.size(); i++) {
                assertThat(list.get(i).offset()).as("no two extents overlap")
                        .isGreaterThanOrEqualTo(list.get(i - 1).offset() + list.get(i - 1).length());
            }
        });
    }

    /** Whether some group has no segment on a listed, online drive (the policies here are mirrors and stripes). */
    private static boolean hasGroupWithoutLiveCopy(VolumeRecord r, Map<String, Drive> driveOf) {
        return r.allocation().orElseThrow().chunks().stream().flatMap(c -> c.groups().stream())
                .anyMatch(g -> g.segments().stream().noneMatch(x -> driveOf.containsKey(x.extent().serial())
                        && driveOf.get(x.extent().serial()).health().online()));
    }

    /** The managed targets that serve some segment of the volume on an online drive they hold. */
    private static Set<String> holders(RecordedState state, VolumeRecord r) {
        Set<String> out = new TreeSet<>();
        for (ServedExtent e : ServedExtent.of(r.allocation().orElseThrow())) {
            for (Target t : state.inventory().targets()) {
                boolean holds = t.drives().stream().anyMatch(d -> d.serial().equals(e.serial()) && d.health().online());
                if (t.managed() && holds && servedBy(state, t.id()).stream()
                        .anyMatch(x -> x.volume().equals(e.volume()) && x.serial().equals(e.serial()))) {
                    out.add(t.id());
                }
            }
        }
        return out;
    }

    private static List<ServedExtent> servedBy(RecordedState state, String target) {
        ServedLayout l = state.served().get(target);
        return l == null ? List.of() : l.extents();
    }

    // ---- the world ----------------------------------------------------------------------------------------------

    /** A pass, recorded as the writer records it: the next generation. */
    private static RecordedState pass(RecordedState state, DesiredState desired) {
        RecordedState after = Reconciliation.run(Reconciliation.Input.of(state, desired, "c0ffee")).after();
        return after.at("g" + (state.generation() + 1), state.generation() + 1);
    }

    /** Targets in {@code mask} (managed ones) ack the layout they must serve now: every non-deleting extent held. */
    private static RecordedState acked(RecordedState state, int mask) {
        SortedMap<String, ServedLayout> served = new TreeMap<>(state.served());
        List<Target> targets = state.inventory().targets();
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            if ((mask & (1 << i)) == 0 || !t.managed()) {
                continue;
            }
            Set<String> serials = new TreeSet<>();
            t.drives().forEach(d -> serials.add(d.serial()));
            List<ServedExtent> layout = new ArrayList<>();
            for (VolumeRecord r : state.volumes().values()) {
                if (r.status() != VolumeStatus.DELETING && r.allocation().isPresent()) {
                    ServedExtent.of(r.allocation().get()).stream().filter(e -> serials.contains(e.serial()))
                            .forEach(layout::add);
                }
            }
            served.put(t.id(), new ServedLayout(t.id(), "r1", 1, state.commitId(), layout, state.generation()));
        }
        return state.withServed(served);
    }

    /** Targets {@code t0..}, two 256 GiB drives each, over {@code racks} racks; bit i of {@code managed}: agent. */
    private static Inventory fleet(int targets, int racks, int managed) {
        List<Target> out = new ArrayList<>();
        for (int t = 0; t < targets; t++) {
            List<Drive> drives = List.of(Drive.of("S" + t + "a", 256 * GIB), Drive.of("S" + t + "b", 256 * GIB));
            out.add(new Target("t" + t, Map.of("rack", "r" + (t % racks)), TargetHealth.HEALTHY, drives,
                    (managed & (1 << t)) != 0));
        }
        return new Inventory(out, List.of());
    }

    private static Inventory failed(Inventory inventory, int index) {
        List<Drive> all = inventory.targets().stream().flatMap(t -> t.drives().stream()).toList();
        return failed(inventory, all.get(index % all.size()).serial());
    }

    private static Inventory failed(Inventory inventory, String serial) {
        return new Inventory(inventory.targets().stream().map(t -> t.withDrives(t.drives().stream()
                .map(d -> d.serial().equals(serial) ? d.withHealth(DriveHealth.FAILED) : d).toList())).toList(),
                inventory.clients());
    }

    /** Volume {@code v-i} of {@code sizes[i]} GiB when bit i of {@code mask} is set; alternating mirror and stripe. */
    private static DesiredState desired(List<Integer> sizes, int mask) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sizes.size(); i++) {
            if ((mask & (1 << i)) != 0) {
                sb.append(sb.length() == 0 ? "" : "---\n").append(Fleet.volume("v-" + i,
                        i % 2 == 0 ? "mirror" : "stripe", sizes.get(i) + "GiB", false));
            }
        }
        SortedMap<String, byte[]> files = new TreeMap<>(Fleet.files("p.yaml", Fleet.POLICIES));
        if (sb.length() > 0) {
            files.putAll(Fleet.files("v.yaml", sb.toString()));
        }
        DesiredManifests m = DesiredManifests.load(new DesiredFiles("", files, Map.of()));
        assertThat(m.valid()).isTrue();
        return m.state();
    }
}
