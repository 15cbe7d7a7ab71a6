package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.ServedExtent;
import io.nvmesh.core.record.ServedLayout;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.Decision;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.StateStoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ways recorded state could lose a volume's data or hand its space out twice, each provoked on a real bare
 * repository, each ending with the whole history checked ({@link HistoryCheck}).
 */
class StateSafetyTest {

    @TempDir
    Path tmp;

    Path gitDir;
    StateStore store;

    @BeforeEach
    void open() {
        gitDir = tmp.resolve("state.git");
        store = StateStore.openOrCreate(gitDir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private String placeTwoVolumes() {
        Fleet.importInventory(store, Fleet.inventory(6, 3, 4, "1TiB"));
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml",
                Fleet.volumes("v", 0, 2, "10GiB")));
        ReconcileReport r = new Reconciler(store, "main").reconcileOnce();
        assertThat(r.outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        return r.stateCommit();
    }

    private Path stateRefFile() {
        return gitDir.resolve("refs/nvmesh/state");
    }

    private void assertHistoryKeepsTheRules() {
        HistoryCheck.Report h = HistoryCheck.check(store, "main", "");
        assertThat(h.findings()).extracting(HistoryCheck.Finding::render).isEmpty();
    }

    // ---- 1: a lost or unreadable state ref is never "no state yet" ------------------------------------------

    @Test
    void aGarbageStateRefStopsEveryWriterAndFsckNamesTheLastGoodCommit() throws Exception {
        String good = placeTwoVolumes();
        Files.writeString(stateRefFile(), "not-a-sha\n");

        Reconciler reconciler = new Reconciler(store, "main");
        assertThatThrownBy(reconciler::reconcileOnce).hasMessageContaining("refs/nvmesh/state")
                .hasMessageContaining("unreadable");
        assertThat(reconciler.writer().unavailable()).contains("unreadable");
        assertThatThrownBy(() -> Fleet.importInventory(store, Fleet.inventory(6, 3, 4, "1TiB")))
                .hasMessageContaining("unreadable");
        assertThat(Files.readString(stateRefFile())).as("no writer replaced it").isEqualTo("not-a-sha\n");

        FsckReport fsck = Fsck.check(store, "main");
        assertThat(fsck.clean()).isFalse();
        assertThat(fsck.errors()).extracting(FsckReport.Finding::message)
                .anySatisfy(m -> assertThat(m).contains("unreadable"))
                .anySatisfy(m -> assertThat(m).contains("last good commit: " + good)
                        .contains("nvmesh state restore " + good));

        assertThat(StateRefs.restore(store, good)).isEmpty();
        assertThat(reconciler.reconcileOnce().outcome()).isEqualTo(ReconcileReport.Kind.UNCHANGED);
        assertThat(reconciler.writer().unavailable()).isEmpty();
        assertThat(Fsck.check(store, "main").clean()).isTrue();
        assertHistoryKeepsTheRules();
    }

    @Test
    void aDeletedStateRefIsNotAFreshStartForAnyWriter() throws Exception {
        String good = placeTwoVolumes();
        Files.delete(stateRefFile());

        assertThatThrownBy(() -> new Reconciler(store, "main").reconcileOnce())
                .isInstanceOf(GitOpsRefusal.class).hasMessageContaining("missing, but a state existed")
                .hasMessageContaining(good);
        assertThatThrownBy(() -> Fleet.importInventory(store, Fleet.inventory(6, 3, 4, "1TiB")))
                .isInstanceOf(GitOpsRefusal.class);
        assertThat(store.resolve(StateStore.STATE_REF)).as("no new root state").isEmpty();
        assertThat(Fsck.check(store, "main").errors()).extracting(FsckReport.Finding::message)
                .anySatisfy(m -> assertThat(m).contains("missing, but a state existed"))
                .anySatisfy(m -> assertThat(m).contains("last good commit: " + good));
        assertThatThrownBy(() -> StateRefs.init(store, Fleet.TEST, false)).isInstanceOf(GitOpsRefusal.class)
                .hasMessageContaining("refused to start a new recorded state");

        StateRefs.restore(store, good);
        assertThat(new Reconciler(store, "main").reconcileOnce().outcome())
                .isEqualTo(ReconcileReport.Kind.UNCHANGED);
        assertHistoryKeepsTheRules();
    }

    @Test
    void aStateRefToAMissingObjectStopsWriters() throws Exception {
        placeTwoVolumes();
        Files.writeString(stateRefFile(), "0123456789abcdef0123456789abcdef01234567\n");
        assertThatThrownBy(() -> new Reconciler(store, "main").reconcileOnce())
                .isInstanceOf(StateStoreException.class);
        assertThat(Fsck.check(store, "main").clean()).isFalse();
        assertThat(Files.readString(stateRefFile())).startsWith("0123456789");
    }

    @Test
    void aReplacedHistoryIsRefusedAndInitNeedsForce() {
        String good = placeTwoVolumes();
        String fresh = StateRefs.init(store, Fleet.TEST, true);
        assertThat(store.resolve(StateWriter.ANCHOR_REF)).as("forced: the anchor follows").isEqualTo(fresh);
        // A state whose root is not the anchor's (made behind nvmesh's back) is refused.
        store.forceRef(StateWriter.ANCHOR_REF, store.firstParents(StateStore.STATE_REF, good, "").get(0));
        assertThatThrownBy(() -> new Reconciler(store, "main").reconcileOnce())
                .hasMessageContaining("not at the state's root");
    }

    @Test
    void aDamagedObjectIsReportedWithItsIdAndPathAndStopsWriters() throws Exception {
        placeTwoVolumes();
        String path = "volumes/v-0000.json";
        String blob = git("rev-parse", StateStore.STATE_REF + ":" + path);
        Path loose = gitDir.resolve("objects/" + blob.substring(0, 2) + "/" + blob.substring(2));
        assertThat(loose).exists();
        loose.toFile().setWritable(true);
        byte[] bytes = Files.readAllBytes(loose);
        Files.write(loose, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        try (StateStore restarted = StateStore.openOrCreate(gitDir)) {
            Reconciler reconciler = new Reconciler(restarted, "main");
            assertThatThrownBy(reconciler::reconcileOnce).hasMessageContaining(path).hasMessageContaining(blob);
            assertThat(reconciler.writer().unavailable()).contains(path);
            FsckReport fsck = Fsck.check(restarted, "main");
            assertThat(fsck.errors()).extracting(FsckReport.Finding::message)
                    .anySatisfy(m -> assertThat(m).contains(path).contains(blob));
            // Every earlier commit that still reads predates the damaged file: rewinding to one would forget it.
            assertThat(fsck.errors()).extracting(FsckReport.Finding::message)
                    .anySatisfy(m -> assertThat(m).contains("repair the object, do not rewind"))
                    .noneSatisfy(m -> assertThat(m).contains("nvmesh state restore"));
            String earlier = restarted.firstParents(StateStore.STATE_REF, restarted.resolve(StateStore.STATE_REF), "")
                    .get(0);
            assertThatThrownBy(() -> StateRefs.restore(restarted, earlier)).isInstanceOf(GitOpsRefusal.class)
                    .hasMessageContaining("still reads");
        }
    }

    @Test
    void aRunningWriterWhoseCacheHidesADamagedObjectStopsOnceItVerifiesAndResumesWhenRepaired() throws Exception {
        placeTwoVolumes();
        Reconciler running = new Reconciler(store, "main");
        assertThat(running.reconcileOnce().outcome()).isEqualTo(ReconcileReport.Kind.UNCHANGED); // cache is warm
        String path = "volumes/v-0001.json";
        String blob = git("rev-parse", StateStore.STATE_REF + ":" + path);
        Path loose = gitDir.resolve("objects/" + blob.substring(0, 2) + "/" + blob.substring(2));
        byte[] whole = Files.readAllBytes(loose);
        loose.toFile().setWritable(true);
        Files.write(loose, java.util.Arrays.copyOf(whole, whole.length / 2));

        assertThatThrownBy(() -> running.writer().verify()).hasMessageContaining(path).hasMessageContaining(blob);
        assertThat(running.writer().unavailable()).contains(path);
        Fleet.commitDesired(store, Fleet.files("w.yaml", Fleet.volume("w", "mirror", "10GiB", false)));
        assertThatThrownBy(running::reconcileOnce).hasMessageContaining("damaged");
        assertThat(state().volumes()).doesNotContainKey("w");

        Files.write(loose, whole); // repaired from a copy
        assertThat(running.writer().verify()).isEmpty();
        assertThat(running.writer().unavailable()).isEmpty();
        assertThat(running.reconcileOnce().outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        assertHistoryKeepsTheRules();
    }

    private String git(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "--git-dir", gitDir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    // ---- 2: a pass planned from an older desired commit never deletes what a newer one added -----------------

    @Test
    void aPassThatLostItsRaceToANewerDesiredCommitKeepsWhatThatCommitAdded() {
        Fleet.importInventory(store, Fleet.inventory(6, 3, 4, "1TiB"));
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "a.yaml",
                Fleet.volume("a", "mirror", "10GiB", false)));
        Reconciler other = new Reconciler(store, "main");
        AtomicBoolean raced = new AtomicBoolean();
        // Just before this reconciler's first compare-and-swap, a newer desired commit adds b and another
        // reconciler records it: the pass loses the race holding a plan from the older commit.
        InterleavingStore racing = new InterleavingStore(store);
        racing.arm(HistoryStep.Race.When.BEFORE_CAS, () -> {
            if (raced.compareAndSet(false, true)) {
                Fleet.commitDesired(store, Fleet.files("b.yaml", Fleet.volume("b", "mirror", "10GiB", false)));
                assertThat(other.reconcileOnce().outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
            }
        });
        ReconcileReport r = new Reconciler(racing, "main").reconcileOnce();

        assertThat(raced).isTrue();
        assertThat(r.desiredCommit()).as("it planned again from the newer commit")
                .isEqualTo(store.resolve("refs/heads/main"));
        RecordedState state = StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
        assertThat(state.volumes()).containsKeys("a", "b");
        assertThat(state.volumes().get("b").status()).isNotEqualTo(VolumeStatus.DELETING);
        assertHistoryKeepsTheRules();
    }

    @Test
    void theWriterRefusesToRecordAnOlderDesiredCommit() {
        Fleet.importInventory(store, Fleet.inventory(6, 3, 4, "1TiB"));
        String d1 = Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "a.yaml",
                Fleet.volume("a", "mirror", "10GiB", false)));
        Fleet.commitDesired(store, Fleet.files("b.yaml", Fleet.volume("b", "mirror", "10GiB", false)));
        new Reconciler(store, "main").reconcileOnce();
        StateWriter writer = new StateWriter(store, "main", Fleet.TEST);
        StateWriter.Result r = writer.write(s -> StateWriter.Proposal.write(s.withReconciled(
                new io.nvmesh.core.record.Reconciled(d1, d1, "ok")), "back", new DesiredFacts(d1, Set.of("a", "b"),
                java.util.Map.of())));
        assertThat(r.kind()).isEqualTo(StateWriter.Result.Kind.REFUSED);
        assertThat(r.reason()).contains("moves backwards");
        assertHistoryKeepsTheRules();
    }

    // ---- 4: space is released only when nothing can still serve it --------------------------------------------

    @Test
    void aVolumeDeletedWhileInitializingKeepsItsSpaceUntilItsTargetsAckTheTeardown() {
        // Two managed targets in two racks, one 24 GiB drive each: a 10 GiB mirror and a 15 GiB one cannot share.
        StateWriter agents = twoTargetsAndMirrorV();
        Reconciler reconciler = new Reconciler(store, "main");
        reconciler.reconcileOnce();
        assertThat(state().volumes().get("v").status()).isEqualTo(VolumeStatus.INITIALIZING);
        List<Extent> vExtents = state().volumes().get("v").allocation().orElseThrow().extents();

        // Removed (and a bigger volume added) while its targets are still setting it up: it waits.
        Fleet.deleteDesired(store, "v.yaml");
        Fleet.commitDesired(store, Fleet.files("w.yaml", Fleet.volume("w", "mirror", "15GiB", false)));
        reconciler.reconcileOnce();
        assertThat(state().volumes().get("v").reason()).contains("deletion waits");
        assertThat(state().volumes().get("w").status()).isEqualTo(VolumeStatus.PENDING);

        ack(agents); // the targets serve v
        reconciler.reconcileOnce();
        reconciler.reconcileOnce();
        VolumeRecord v = state().volumes().get("v");
        assertThat(v.status()).isEqualTo(VolumeStatus.DELETING);
        assertThat(v.releasing()).extracting(h -> h.extent()).containsExactlyInAnyOrderElementsOf(vExtents);
        assertThat(state().volumes().get("w").status()).as("v's space is still held").isEqualTo(VolumeStatus.PENDING);

        ack(agents); // the targets ack a layout computed from the deleting state: v is torn down
        reconciler.reconcileOnce();
        assertThat(state().volumes()).doesNotContainKey("v");
        assertThat(state().volumes().get("w").allocation()).as("now w may have the space").isPresent();
        assertHistoryKeepsTheRules();
    }

    @Test
    void aDeletingVolumeWhoseTargetsReleaseItOneAfterTheOtherIsDropped() {
        StateWriter agents = twoTargetsAndMirrorV();
        Reconciler reconciler = new Reconciler(store, "main");
        reconciler.reconcileOnce();
        ack(agents);
        reconciler.reconcileOnce();
        Fleet.deleteDesired(store, "v.yaml");
        reconciler.reconcileOnce();
        assertThat(state().volumes().get("v").status()).isEqualTo(VolumeStatus.DELETING);

        ack(agents, Set.of("t00")); // one target tears v down ...
        reconciler.reconcileOnce();
        assertThat(state().volumes().get("v").reason()).contains("t01").doesNotContain("t00");
        ack(agents, Set.of("t01")); // ... and then the other: v's space may be given back now
        ReconcileReport dropped = reconciler.reconcileOnce();

        assertThat(dropped.outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        assertThat(state().volumes()).doesNotContainKey("v");
        assertHistoryKeepsTheRules();
    }

    @Test
    void aDriveThatIsNotReportedForAMomentDoesNotReleaseWhatItsTargetLastServed() {
        StateWriter agents = twoTargetsAndMirrorV();
        Reconciler reconciler = new Reconciler(store, "main");
        reconciler.reconcileOnce();
        ack(agents); // both targets serve v
        reconciler.reconcileOnce();
        Fleet.deleteDesired(store, "v.yaml");
        reconciler.reconcileOnce();
        assertThat(state().volumes().get("v").status()).isEqualTo(VolumeStatus.DELETING);

        // t00's agent stops reporting its drive (pulled for a moment) and acks nothing; t01 tears v down.
        Inventory withDrive = state().inventory();
        agents.write(s -> StateWriter.Proposal.write(s.withInventory(new Inventory(s.inventory().targets().stream()
                .map(t -> t.id().equals("t00") ? t.withDrives(List.of()) : t).toList(), s.inventory().clients())),
                "drive S0000 not reported", null));
        ack(agents, Set.of("t01"));
        reconciler.reconcileOnce();
        assertThat(state().volumes()).as("t00 last acked serving v on S0000").containsKey("v");
        assertThat(state().volumes().get("v").status()).isEqualTo(VolumeStatus.DELETING);

        // The drive is back; only t00's ack of a layout without v gives the space back.
        agents.write(s -> StateWriter.Proposal.write(s.withInventory(withDrive), "drive S0000 back", null));
        reconciler.reconcileOnce();
        assertThat(state().volumes()).containsKey("v");
        ack(agents, Set.of("t00"));
        reconciler.reconcileOnce();
        assertThat(state().volumes()).doesNotContainKey("v");
        assertHistoryKeepsTheRules();
    }

    @Test
    void aTargetThatGetsAnAgentWhileAVolumeIsDeletingMustAckBeforeItsSpaceIsFreed() {
        // t00 comes from the inventory file (nothing nvmesh commands is served there), t01 has an agent.
        StateWriter agents = twoTargetsAndMirrorV("t01");
        Reconciler reconciler = new Reconciler(store, "main");
        reconciler.reconcileOnce();
        ack(agents);
        reconciler.reconcileOnce();
        Fleet.deleteDesired(store, "v.yaml");
        reconciler.reconcileOnce();
        assertThat(state().volumes().get("v").status()).isEqualTo(VolumeStatus.DELETING);

        agents.write(s -> StateWriter.Proposal.write(s.withInventory(managed(s.inventory(), "t00", "t01")),
                "agent of t00 connected", null));
        ack(agents, Set.of("t01"));
        reconciler.reconcileOnce();
        VolumeRecord waiting = state().volumes().get("v");
        assertThat(waiting.status()).as("t00's agent has acked nothing yet").isEqualTo(VolumeStatus.DELETING);
        assertThat(waiting.reason()).contains("t00").doesNotContain("t01");

        ack(agents, Set.of("t00"));
        assertThat(reconciler.reconcileOnce().outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        assertThat(state().volumes()).doesNotContainKey("v");
        assertHistoryKeepsTheRules();
    }

    @Test
    void aDeletingVolumeDesiredAgainWhileItsSegmentMovesHoldsTheOldPlaceOnce() {
        Fleet.importInventory(store, Fleet.inventory(3, 3, 1, "24GiB"));
        StateWriter agents = new StateWriter(store, "main", Fleet.TEST);
        agents.write(s -> StateWriter.Proposal.write(s.withInventory(managed(s.inventory())), "agents", null));
        String v = Fleet.volume("v", "stripe", "2GiB", false);
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml", v));
        Reconciler reconciler = new Reconciler(store, "main");
        reconciler.reconcileOnce();
        ack(agents);
        reconciler.reconcileOnce();
        Fleet.deleteDesired(store, "v.yaml");
        reconciler.reconcileOnce();
        assertThat(state().volumes().get("v").status()).isEqualTo(VolumeStatus.DELETING);
        Extent leaving = state().volumes().get("v").allocation().orElseThrow().extents().get(1);

        // v is desired again, and the drive of one of its segments, still held for the deletion, is evacuated.
        Fleet.commitDesired(store, Fleet.files("v.yaml", v, "drive.yaml", "apiVersion: nvmesh.io/v1\nkind: Drive\n"
                + "metadata:\n  name: leaving\nspec:\n  serial: " + leaving.serial() + "\n  evacuate: true\n"));
        reconciler.reconcileOnce();
        VolumeRecord moved = state().volumes().get("v");
        assertThat(moved.allocation().orElseThrow().extents()).doesNotContain(leaving);
        assertThat(moved.releasing()).extracting(h -> h.extent()).containsExactly(leaving);

        assertThat(reconciler.reconcileOnce().outcome()).as("the next pass can still plan")
                .isIn(ReconcileReport.Kind.RECORDED, ReconcileReport.Kind.UNCHANGED);
        ack(agents);
        reconciler.reconcileOnce();
        assertThat(state().volumes().get("v").releasing()).isEmpty();
        assertThat(Fsck.check(store, "main").errors()).isEmpty();
        assertHistoryKeepsTheRules();
    }

    private RecordedState state() {
        return StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
    }

    /**
     * Two targets in two racks, one 24 GiB drive each, with agents on the targets named (none named: on both), and a
     * 10 GiB mirror v desired; returns the writer the agents' reports and acks go through.
     */
    private StateWriter twoTargetsAndMirrorV(String... agentsOn) {
        Fleet.importInventory(store, Fleet.inventory(2, 2, 1, "24GiB"));
        StateWriter agents = new StateWriter(store, "main", Fleet.TEST);
        agents.write(s -> StateWriter.Proposal.write(s.withInventory(agentsOn.length == 0 ? managed(s.inventory())
                : managed(s.inventory(), agentsOn)), "agents", null));
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml",
                Fleet.volume("v", "mirror", "10GiB", false)));
        return agents;
    }

    private static Inventory managed(Inventory i) {
        List<Target> out = new ArrayList<>();
        for (Target t : i.targets()) {
            out.add(new Target(t.id(), t.labels(), t.health(), t.drives(), true));
        }
        return new Inventory(out, i.clients());
    }

    /** The inventory with agents on the targets named, and none on the others. */
    private static Inventory managed(Inventory i, String... ids) {
        List<Target> out = new ArrayList<>();
        for (Target t : i.targets()) {
            out.add(new Target(t.id(), t.labels(), t.health(), t.drives(), List.of(ids).contains(t.id())));
        }
        return new Inventory(out, i.clients());
    }

    /** Every target acks the layout the current state commands (what an agent does), as the served recorder does. */
    private void ack(StateWriter writer) {
        ack(writer, null);
    }

    /** The targets named (all: {@code null}) ack the layout the current state commands. */
    private void ack(StateWriter writer, Set<String> targets) {
        RecordedState s = state();
        StateWriter.Result r = writer.writeFiles(StateFiles.SERVED, snapshot -> {
            Changes.Builder b = Changes.builder();
            for (Target t : s.inventory().targets()) {
                if (targets != null && !targets.contains(t.id())) {
                    continue;
                }
                Set<String> serials = new TreeSet<>();
                t.drives().forEach(d -> serials.add(d.serial()));
                List<ServedExtent> layout = new ArrayList<>();
                for (VolumeRecord r2 : s.volumes().values()) {
                    if (r2.status() != VolumeStatus.DELETING && r2.allocation().isPresent()) {
                        ServedExtent.of(r2.allocation().get()).stream().filter(e -> serials.contains(e.serial()))
                                .forEach(layout::add);
                    }
                }
                b.put(StateFiles.servedPath(t.id()), StateFiles.encodeServed(new ServedLayout(t.id(), "test", 1,
                        s.commitId(), layout, s.generation())));
            }
            return Decision.commit(b.build(), "acks");
        });
        assertThat(r.kind()).isIn(StateWriter.Result.Kind.RECORDED, StateWriter.Result.Kind.UNCHANGED);
    }
}
