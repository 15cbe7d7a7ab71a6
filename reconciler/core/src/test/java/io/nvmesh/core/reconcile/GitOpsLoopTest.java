package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.core.allocation.ActionKind;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.CommitResult;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop end to end on a real bare repository: import, apply, reconcile, diff, fsck. */
class GitOpsLoopTest {

    @TempDir
    Path tmp;

    StateStore store;

    @BeforeEach
    void open() {
        store = StateStore.openOrCreate(tmp.resolve("desired.git"));
        Fleet.importInventory(store, Fleet.inventory(6, 3, 4, "1TiB"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private RecordedState recorded() {
        return StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
    }

    @Test
    void applyThenReconcileLeavesNothingToDiff() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work/volumes"));
        Files.writeString(tmp.resolve("work/policies.yaml"), Fleet.POLICIES);
        Files.writeString(work.resolve("a.yaml"), Fleet.volumes("a", 0, 5, "10GiB"));
        LocalManifests local = LocalManifests.read(List.of("."), tmp.resolve("work"));
        assertThat(local.files()).containsOnlyKeys("policies.yaml", "volumes/a.yaml");

        DiffReport before = DesiredDiff.ofLocal(store, "main", local, false);
        assertThat(before.count(ActionKind.CREATE)).isEqualTo(5);
        assertThat(before.changes()).hasSize(7);
        assertThat(before.summary()).isEqualTo("Plan: 5 to create, 0 to extend, 0 to delete, 0 to move.");

        ApplyResult applied = DesiredApply.apply(store, "main", local, false, Optional.empty(), "", Fleet.TEST);
        assertThat(applied.written()).containsExactly("policies.yaml", "volumes/a.yaml");
        ReconcileReport r = new Reconciler(store, "main").reconcileOnce();
        assertThat(r.outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        assertThat(r.placed()).hasSize(5);

        DiffReport after = DesiredDiff.ofLocal(store, "main", local, false);
        assertThat(after.hasChanges()).isFalse();
        assertThat(DesiredDiff.ofRef(store, "main", "main").hasChanges()).isFalse();
        assertThat(new Reconciler(store, "main").reconcileOnce().outcome()).isEqualTo(ReconcileReport.Kind.UNCHANGED);
        assertThat(recorded().volumes().values()).allMatch(v -> v.status() == VolumeStatus.ONLINE);
        assertThat(Fsck.check(store, "main").clean()).isTrue();
    }

    @Test
    void diffShowsFieldLevelChangesAndTheExtendItCauses() {
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml",
                Fleet.volume("db", "mirror", "10GiB", false)));
        new Reconciler(store, "main").reconcileOnce();
        Fleet.commitDesired(store, Fleet.files("v.yaml", Fleet.volume("db", "mirror", "20GiB", false)));

        DiffReport d = DesiredDiff.ofRef(store, "main", "main");

        assertThat(d.changes()).singleElement().satisfies(c -> {
            assertThat(c.object()).isEqualTo("Volume db");
            assertThat(c.fields()).containsExactly(new ManifestChange.FieldChange("spec.capacity", "10GiB", "20GiB"));
        });
        assertThat(d.summary()).isEqualTo("Plan: 0 to create, 1 to extend, 0 to delete, 0 to move.");
        assertThat(d.placements()).isNotEmpty().allMatch(p -> p.target().startsWith("t"));
        assertThat(d.after().allocated()).isGreaterThan(d.before().allocated());
    }

    /**
     * A {@code capacity: max} volume takes what is left, so its owner waits until the fixed-size volumes of other
     * reconcilers have been tried. Here the max volume's owner passes first: placed at once, it would take all 24 TiB
     * and leave the 10 TiB volume of the other reconciler pending.
     */
    @Test
    void maxVolumeWaitsForFixedSizeVolumesOfOtherOwners() {
        Fleet.commitDesired(store, Fleet.files("policies.yaml", Fleet.POLICIES, "volumes.yaml",
                Fleet.volume("big", "stripe", "10TiB", false) + "---\n" + Fleet.volume("rest", "stripe", "max", false)));
        Reconciler ownsRest = new Reconciler(store, "main", "rest"::equals, Fleet.TEST);
        Reconciler ownsBig = new Reconciler(store, "main", "big"::equals, Fleet.TEST);

        ownsRest.reconcileOnce();
        VolumeRecord waiting = recorded().volumes().get("rest");
        assertThat(waiting.status()).isEqualTo(VolumeStatus.PENDING);
        assertThat(waiting.reason()).startsWith(VolumeRecord.WAITING).contains("(big)");

        ownsBig.reconcileOnce();
        ownsRest.reconcileOnce();
        RecordedState s = recorded();
        assertThat(s.volumes().values()).extracting(VolumeRecord::status)
                .containsOnly(VolumeStatus.ONLINE);
        assertThat(s.volumes().get("big").allocation().orElseThrow().size()).isGreaterThanOrEqualTo(10L << 40);
        assertThat(s.volumes().get("rest").allocation().orElseThrow().size()).isGreaterThan(10L << 40);
        assertThat(Fsck.check(store, "main").clean()).isTrue();
        assertThat(ownsRest.reconcileOnce().outcome()).isEqualTo(ReconcileReport.Kind.UNCHANGED);
    }

    @Test
    void aHeldMaxVolumeIsPendingWithTheHoldsReasonAndPlacedOnceReleased() {
        Fleet.commitDesired(store, Fleet.files("policies.yaml", Fleet.POLICIES, "volumes.yaml",
                Fleet.volume("small", "stripe", "1TiB", false) + "---\n" + Fleet.volume("rest", "stripe", "max", false)));
        Reconciler reconciler = new Reconciler(store, "main");
        String[] hold = {VolumeRecord.WAITING + "the inventory to settle"};
        reconciler.holdMaxVolumes(() -> hold[0]);

        reconciler.reconcileOnce();
        assertThat(recorded().volumes().get("small").status()).isEqualTo(VolumeStatus.ONLINE);
        assertThat(recorded().volumes().get("rest").status()).isEqualTo(VolumeStatus.PENDING);
        assertThat(recorded().volumes().get("rest").reason()).isEqualTo(hold[0]);

        hold[0] = "";
        reconciler.reconcileOnce();
        assertThat(recorded().volumes().get("rest").status()).isEqualTo(VolumeStatus.ONLINE);
        assertThat(Fsck.check(store, "main").clean()).isTrue();
    }

    /**
     * A target that stops answering (recorded unhealthy) keeps its data, so the planner leaves its segments alone; the
     * volume is degraded meanwhile, saying which target, and fsck warns. When the target is back the volume is online.
     */
    @Test
    void aVolumeWithASegmentOnAnUnhealthyTargetIsDegradedNamingItUntilTheTargetIsBack() {
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml",
                Fleet.volume("db", "mirror", "10GiB", false)));
        new Reconciler(store, "main").reconcileOnce();
        RecordedState online = recorded();
        assertThat(online.volumes().get("db").status()).isEqualTo(VolumeStatus.ONLINE);
        Extent second = online.volumes().get("db").allocation().orElseThrow().extents().get(1);
        String target = online.inventory().targetOf(second.serial()).orElseThrow().id();
        String inventory = Fleet.inventory(6, 3, 4, "1TiB");
        Fleet.importInventory(store, inventory.replace("- id: " + target + "\n",
                "- id: " + target + "\n    health: unhealthy\n"));

        new Reconciler(store, "main").reconcileOnce();

        VolumeRecord db = recorded().volumes().get("db");
        assertThat(db.status()).isEqualTo(VolumeStatus.DEGRADED);
        assertThat(db.reason()).isEqualTo("degraded: chunk 0 group 0: segment 1 is on drive " + second.serial()
                + " of target " + target + ", which is unhealthy");
        assertThat(db.allocation()).as("not moved: the target may come back with its data")
                .isEqualTo(online.volumes().get("db").allocation());
        FsckReport fsck = Fsck.check(store, "main");
        assertThat(fsck.clean()).isTrue();
        assertThat(fsck.findings()).extracting(FsckReport.Finding::render).containsExactly("warning: volume db: "
                + "degraded: volume db chunk 0 group 0: segment 1 is on drive " + second.serial() + " of target "
                + target + ", which is unhealthy");

        Fleet.importInventory(store, inventory);
        new Reconciler(store, "main").reconcileOnce();

        assertThat(recorded().volumes().get("db").status()).isEqualTo(VolumeStatus.ONLINE);
        assertThat(recorded().volumes().get("db").reason()).isEmpty();
        assertThat(Fsck.check(store, "main").findings()).isEmpty();
    }

    /**
     * A stripe width on one drive: pending with the reason, placed once the policy allows shared drives (and fsck says
     * so), and not moved when the policy takes that back: fsck then warns, and writers go on.
     */
    @Test
    void stripesOnOneDriveWaitForAllowSharedDrivesAndFsckWarnsAboutThem() {
        Fleet.importInventory(store, Fleet.inventory(1, 1, 1, "1TiB"));
        String stripe = """
                apiVersion: nvmesh.io/v1
                kind: VolumePolicy
                metadata:
                  name: stripe
                spec:
                  layout: raid0
                  stripeWidth: 2
                """;
        Fleet.commitDesired(store, Fleet.files("p.yaml", stripe, "v.yaml", Fleet.volume("scratch", "stripe", "10GiB",
                false)));
        new Reconciler(store, "main").reconcileOnce();

        VolumeRecord pending = recorded().volumes().get("scratch");
        assertThat(pending.status()).isEqualTo(VolumeStatus.PENDING);
        assertThat(pending.reason()).isEqualTo("cannot place volume scratch (raid0, 2 stripes of 5 GiB): stripe width"
                + " 2 needs 2 distinct drives per chunk, the fleet offers 1 drive; to place it on shared drives"
                + " anyway, set allowSharedDrives: true in policy stripe");

        Fleet.commitDesired(store, Fleet.files("p.yaml", stripe + "  allowSharedDrives: true\n"));
        new Reconciler(store, "main").reconcileOnce();
        VolumeRecord shared = recorded().volumes().get("scratch");
        assertThat(shared.status()).isEqualTo(VolumeStatus.ONLINE);
        FsckReport allowed = Fsck.check(store, "main");
        assertThat(allowed.clean()).isTrue();
        assertThat(allowed.findings()).extracting(FsckReport.Finding::render).containsExactly("warning: volume "
                + "scratch: stripes share drives, as policy stripe allows (allowSharedDrives: true), so they do not"
                + " work in parallel: chunk 0: stripes 0, 1 share drive S0000");

        Fleet.commitDesired(store, Fleet.files("p.yaml", stripe));
        new Reconciler(store, "main").reconcileOnce();
        assertThat(recorded().volumes().get("scratch").allocation()).as("recorded chunks do not move for it")
                .isEqualTo(shared.allocation());
        assertThat(recorded().volumes().get("scratch").status()).isEqualTo(VolumeStatus.ONLINE);
        FsckReport taken = Fsck.check(store, "main");
        assertThat(taken.clean()).isTrue();
        assertThat(taken.findings()).extracting(FsckReport.Finding::render).containsExactly("warning: volume "
                + "scratch: stripes share drives, so stripe width 2 does not work in parallel there: chunk 0: stripes"
                + " 0, 1 share drive S0000 (placed before stripes were kept apart, or rebuilt where no other drive was"
                + " free; recorded chunks are not moved for it)");
    }

    @Test
    void savedPlanGoesStaleWhenStateMoves() {
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml",
                Fleet.volume("db", "mirror", "10GiB", false)));
        DiffReport d = DesiredDiff.ofRef(store, "main", "main");
        SavedPlan plan = SavedPlan.parse("plan.json", SavedPlan.of(d).toJson(d.actions()));
        assertThat(plan.stateCommit()).isEqualTo(d.stateCommit());

        new Reconciler(store, "main").reconcileOnce();

        assertThatThrownBy(() -> DesiredApply.applyPlan(store, "main", plan, "", Fleet.TEST))
                .isInstanceOf(GitOpsRefusal.class)
                .hasMessageContaining("stale")
                .hasMessageContaining("recorded state moved")
                .hasMessageContaining("volume db");
    }

    @Test
    void savedPlanFromLocalFilesCommitsExactlyThoseFilesWhileNothingMoved() throws Exception {
        Files.writeString(tmp.resolve("p.yaml"), Fleet.POLICIES);
        Files.writeString(tmp.resolve("v.yaml"), Fleet.volume("db", "mirror", "10GiB", false));
        DiffReport d = DesiredDiff.ofLocal(store, "main", LocalManifests.read(List.of("p.yaml", "v.yaml"), tmp), false);
        SavedPlan plan = SavedPlan.parse("plan.json", SavedPlan.of(d).toJson(d.actions()));

        ApplyResult r = DesiredApply.applyPlan(store, "main", plan, "from plan", Fleet.TEST);

        assertThat(r.written()).containsExactly("p.yaml", "v.yaml");
        Fleet.commitDesired(store, Fleet.files("w.yaml", Fleet.volume("other", "mirror", "1GiB", false)));
        assertThatThrownBy(() -> DesiredApply.applyPlan(store, "main", plan, "", Fleet.TEST))
                .isInstanceOf(GitOpsRefusal.class).hasMessageContaining("desired branch refs/heads/main moved")
                .hasMessageContaining("w.yaml");
    }

    @Test
    void filesTheBranchsNvmeshignoreNamesAreNotManifestsToTheReconcilerAsToValidate() throws Exception {
        String ci = "stages: [check]\ncheck:\n  script: [nvmesh validate .]\n";
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml",
                Fleet.volume("db", "mirror", "10GiB", false), "ci/gitlab-ci.yml", ci, ".nvmeshignore",
                "# CI files live beside the manifests\nci/\n"));

        ReconcileReport r = new Reconciler(store, "main").reconcileOnce();

        assertThat(r.outcome()).isEqualTo(ReconcileReport.Kind.RECORDED);
        assertThat(recorded().volumes()).containsOnlyKeys("db");
        // validate skips the same file in a checkout of the branch.
        Path checkout = Files.createDirectories(tmp.resolve("checkout/ci"));
        Files.writeString(checkout.resolve("gitlab-ci.yml"), ci);
        Files.writeString(tmp.resolve("checkout/.nvmeshignore"), "ci/\n");
        Files.writeString(tmp.resolve("checkout/p.yaml"), Fleet.POLICIES);
        assertThat(LocalManifests.read(List.of("."), tmp.resolve("checkout")).files()).containsOnlyKeys("p.yaml");

        // Without the ignore line the same file is a desired manifest, and an invalid one: nothing is applied.
        Fleet.commitDesired(store, Fleet.files(".nvmeshignore", "# nothing ignored\n"));
        assertThat(new Reconciler(store, "main").reconcileOnce().outcome()).isEqualTo(ReconcileReport.Kind.INVALID);
        assertThat(recorded().volumes()).containsOnlyKeys("db");
    }

    @Test
    void invalidDesiredCommitIsRecordedAndTheLastGoodStateStays() {
        String good = Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml",
                Fleet.volume("db", "mirror", "10GiB", false)));
        new Reconciler(store, "main").reconcileOnce();
        RecordedState before = recorded();
        String bad = Fleet.commitDesired(store, Fleet.files("v.yaml", Fleet.volume("db", "mirror", "10GiB", false)
                + "---\n" + Fleet.volume("db2", "no-such-policy", "1GiB", false)));

        ReconcileReport r = new Reconciler(store, "main").reconcileOnce();

        assertThat(r.outcome()).isEqualTo(ReconcileReport.Kind.INVALID);
        RecordedState after = recorded();
        assertThat(after.reconciled().desiredCommit()).isEqualTo(good);
        assertThat(after.reconciled().lastSeenCommit()).isEqualTo(bad);
        assertThat(after.reconciled().outcome()).startsWith("invalid at " + bad.substring(0, 7) + ": v.yaml:")
                .contains("no-such-policy");
        assertThat(after.volumes()).isEqualTo(before.volumes());
        // A second pass over the same invalid commit changes nothing.
        assertThat(new Reconciler(store, "main").reconcileOnce().stateCommit()).isEqualTo(r.stateCommit());
    }

    @Test
    void deletingAProtectedVolumeIsRefusedByApplyAndBlockedInReconcile() throws Exception {
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml",
                Fleet.volume("ledger", "mirror", "10GiB", true)));
        new Reconciler(store, "main").reconcileOnce();
        Files.createDirectories(tmp.resolve("w"));
        Files.writeString(tmp.resolve("w/p.yaml"), Fleet.POLICIES);
        LocalManifests withoutVolume = LocalManifests.read(List.of("."), tmp.resolve("w"));

        assertThatThrownBy(() -> DesiredApply.apply(store, "main", withoutVolume, true, Optional.empty(), "",
                Fleet.TEST)).isInstanceOf(GitOpsRefusal.class).hasMessageContaining("deletionProtection")
                .hasMessageContaining("Volume ledger (v.yaml)");
        assertThat(store.read("main").contains("v.yaml")).isTrue();

        // Someone bypasses apply and deletes it on the branch directly: the reconciler keeps it, blocked.
        Fleet.deleteDesired(store, "v.yaml");
        DiffReport d = DesiredDiff.ofRef(store, "main", "main");
        assertThat(d.blocked()).containsExactly("ledger");
        assertThat(d.changes()).singleElement().satisfies(c -> assertThat(c.blocked()).isTrue());
        assertThat(d.count(ActionKind.DELETE)).isZero();

        ReconcileReport r = new Reconciler(store, "main").reconcileOnce();

        assertThat(r.blocked()).containsExactly("ledger");
        assertThat(recorded().volumes().get("ledger").status()).isEqualTo(VolumeStatus.BLOCKED);
        assertThat(recorded().volumes().get("ledger").allocation()).isPresent();
        assertThat(Fsck.check(store, "main").clean()).isTrue();
    }

    @Test
    void aProtectedVolumeThatWasNeverPlacedIsRemovedInOneCommitAndAPlacedOneIsNot() throws Exception {
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml",
                Fleet.volume("ledger", "mirror", "10GiB", true), "huge.yaml",
                Fleet.volume("huge", "mirror", "1PiB", true)));
        new Reconciler(store, "main").reconcileOnce();
        assertThat(recorded().volumes().get("huge").status()).isEqualTo(VolumeStatus.PENDING);
        assertThat(recorded().volumes().get("ledger").allocation()).isPresent();
        Files.createDirectories(tmp.resolve("w"));
        Files.writeString(tmp.resolve("w/p.yaml"), Fleet.POLICIES);
        Files.writeString(tmp.resolve("w/v.yaml"), Fleet.volume("ledger", "mirror", "10GiB", true));
        LocalManifests withoutHuge = LocalManifests.read(List.of("."), tmp.resolve("w"));
        Files.delete(tmp.resolve("w/v.yaml"));
        LocalManifests withoutEither = LocalManifests.read(List.of("."), tmp.resolve("w"));

        DiffReport preview = DesiredDiff.ofLocal(store, "main", withoutEither, true);
        assertThat(preview.changes()).extracting(ManifestChange::object, ManifestChange::blocked)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Volume huge", false),
                        org.assertj.core.groups.Tuple.tuple("Volume ledger", true));
        assertThatThrownBy(() -> DesiredApply.apply(store, "main", withoutEither, true, Optional.empty(), "",
                Fleet.TEST)).isInstanceOf(GitOpsRefusal.class).hasMessageContaining("deletionProtection")
                .hasMessageContaining("Volume ledger (v.yaml)").hasMessageNotContaining("huge");
        ApplyResult applied = DesiredApply.apply(store, "main", withoutHuge, true, Optional.empty(), "", Fleet.TEST);

        assertThat(applied.removed()).containsExactly("huge.yaml");
        new Reconciler(store, "main").reconcileOnce();
        assertThat(recorded().volumes()).containsOnlyKeys("ledger");
        assertThat(Fsck.check(store, "main").clean()).isTrue();
    }

    @Test
    void unprotectedVolumeRemovedFromDesiredIsDeleted() {
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml",
                Fleet.volume("tmp", "mirror", "10GiB", false)));
        new Reconciler(store, "main").reconcileOnce();
        Fleet.deleteDesired(store, "v.yaml");

        ReconcileReport r = new Reconciler(store, "main").reconcileOnce();

        assertThat(r.placed()).as(r.toString()).singleElement().satisfies(a -> assertThat(a.kind()).isEqualTo(ActionKind.DELETE));
        assertThat(recorded().volumes()).isEmpty();
    }

    @Test
    void fsckFindsAPlantedOverlap() {
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml",
                Fleet.volume("a", "mirror", "10GiB", false) + "---\n" + Fleet.volume("b", "mirror", "10GiB", false)));
        new Reconciler(store, "main").reconcileOnce();
        Snapshot s = store.read(StateStore.STATE_REF);
        String b = s.text("volumes/b.json").orElseThrow();
        Extent aFirst = recorded().volumes().get("a").allocation().orElseThrow().extents().get(0);
        Extent bFirst = recorded().volumes().get("b").allocation().orElseThrow().extents().get(0);
        String planted = b.replaceFirst("\"serial\" : \"" + bFirst.serial() + "\"", "\"serial\" : \""
                + aFirst.serial() + "\"").replaceFirst("\"offset\" : " + bFirst.offset() + ",", "\"offset\" : "
                + aFirst.offset() + ",");
        assertThat(planted).isNotEqualTo(b);
        CommitResult c = store.commit(StateStore.STATE_REF, s.commitId(), Changes.put("volumes/b.json",
                planted.getBytes(StandardCharsets.UTF_8)), "plant an overlap", Fleet.TEST);
        assertThat(c).isInstanceOf(CommitResult.Committed.class);

        FsckReport r = Fsck.check(store, "main");

        assertThat(r.clean()).isFalse();
        assertThat(r.errors()).anySatisfy(f -> assertThat(f.message()).startsWith("overlap:")
                .contains(aFirst.serial()));
    }

    @Test
    void fsckReportsExtentsOnUnknownDrivesAndDamagedFiles() {
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml",
                Fleet.volume("a", "mirror", "10GiB", false)));
        new Reconciler(store, "main").reconcileOnce();
        Snapshot s = store.read(StateStore.STATE_REF);
        String serial = recorded().volumes().get("a").allocation().orElseThrow().extents().get(0).serial();
        store.commit(StateStore.STATE_REF, s.commitId(), Changes.builder().delete("inventory/targets/t0"
                + serial.substring(2, 3) + ".json").put("volumes/z.json", "{ not json").build(), "damage",
                Fleet.TEST);

        FsckReport r = Fsck.check(store, "main");

        assertThat(r.errors()).extracting(FsckReport.Finding::render)
                .anySatisfy(m -> assertThat(m).contains("volume z: not valid JSON"))
                .anySatisfy(m -> assertThat(m).contains("which the inventory does not list"));
        assertThatThrownBy(() -> new Reconciler(store, "main").reconcileOnce()).isInstanceOf(GitOpsRefusal.class)
                .hasMessageContaining("damaged");
    }

    /**
     * Invariant 4 end to end: a concatenated volume whose only drive failed is recorded failed with its allocation
     * kept, fsck says so, diff previews the unplaceable rebuild; once the loss is accepted in Git, diff previews the
     * empty segment and the next pass places it and records the volume online again.
     */
    @Test
    void aVolumeWhoseOnlyCopyFailedIsRecordedFailedUntilTheLossIsAcceptedInGit() {
        String scratch = """
                apiVersion: nvmesh.io/v1
                kind: VolumePolicy
                metadata:
                  name: scratch
                spec:
                  layout: concatenated
                """;
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES + "---\n" + scratch, "v.yaml",
                Fleet.volume("cc", "scratch", "10GiB", false)));
        new Reconciler(store, "main").reconcileOnce();
        VolumeRecord online = recorded().volumes().get("cc");
        assertThat(online.status()).isEqualTo(VolumeStatus.ONLINE);
        String serial = online.allocation().orElseThrow().extents().get(0).serial();
        Fleet.importInventory(store, Fleet.inventory(6, 3, 4, "1TiB").replace("serial: " + serial + "\n"
                + "        capacity: 1TiB\n", "serial: " + serial + "\n        capacity: 1TiB\n"
                + "        health: failed\n"));

        ReconcileReport r = new Reconciler(store, "main").reconcileOnce();

        assertThat(r.placed()).isEmpty();
        VolumeRecord failed = recorded().volumes().get("cc");
        assertThat(failed.status()).isEqualTo(VolumeStatus.FAILED);
        assertThat(failed.reason()).isEqualTo("data lost: chunk 0 group 0 has no surviving copy (drive " + serial
                + " failed); recreate it empty by adding the annotation nvmesh.io/accept-data-loss: " + serial
                + " to volume cc");
        assertThat(failed.allocation()).isEqualTo(online.allocation());
        assertThat(store.read(StateStore.STATE_REF).text("volumes/cc.json").orElseThrow())
                .contains("\"status\" : \"failed\"");
        FsckReport fsck = Fsck.check(store, "main");
        assertThat(fsck.errors()).isEmpty();
        assertThat(fsck.findings()).extracting(FsckReport.Finding::render).contains("warning: volume cc: "
                + failed.reason());
        DiffReport waiting = DesiredDiff.ofRef(store, "main", "main");
        assertThat(waiting.count(ActionKind.MOVE)).isZero();
        assertThat(waiting.unplaceable()).singleElement().extracting(a -> a.reason()).asString()
                .startsWith("cannot rebuild segment 0 of group 0 in chunk 0 of volume cc off drive " + serial);
        assertThat(new Reconciler(store, "main").reconcileOnce().outcome()).as("failed stays failed, quietly")
                .isEqualTo(ReconcileReport.Kind.UNCHANGED);

        Fleet.commitDesired(store, Fleet.files("v.yaml", Fleet.volume("cc", "scratch", "10GiB", false)
                .replace("  name: cc\n", "  name: cc\n  annotations:\n    nvmesh.io/accept-data-loss: " + serial
                        + "\n")));
        DiffReport accepted = DesiredDiff.ofRef(store, "main", "main");
        assertThat(accepted.count(ActionKind.MOVE)).isEqualTo(1);
        assertThat(accepted.actions()).singleElement().satisfies(a -> assertThat(a.move().cause())
                .isEqualTo("recreate empty: data loss on drive " + serial
                        + " accepted by annotation nvmesh.io/accept-data-loss"));
        assertThat(accepted.placements()).singleElement().satisfies(p -> assertThat(p.fromSerial()).isEqualTo(serial));
        new Reconciler(store, "main").reconcileOnce();

        VolumeRecord recreated = recorded().volumes().get("cc");
        assertThat(recreated.status()).isEqualTo(VolumeStatus.ONLINE);
        assertThat(recreated.allocation().orElseThrow().extents()).singleElement()
                .satisfies(e -> assertThat(e.serial()).isNotEqualTo(serial));
        assertThat(Fsck.check(store, "main").findings()).noneMatch(f -> f.message().startsWith("data lost"));
        assertThat(HistoryCheck.check(store, "main", "").findings()).as("every step keeps the safety rules").isEmpty();
    }

    /**
     * An erasure-coded group that lost more segments than its parity is frozen: its live segments are not evacuated
     * either (every change to a group without enough live copies is refused by the state writer, so a planned move
     * there would stop every pass of its owner), and the volume is recorded failed.
     */
    @Test
    void aLostErasureCodedGroupKeepsItsLiveSegmentsWhereTheyAreAndThePassIsRecorded() {
        String ec = """
                apiVersion: nvmesh.io/v1
                kind: VolumePolicy
                metadata:
                  name: ec
                spec:
                  layout: erasure-coding
                  dataBlocks: 2
                  parityBlocks: 1
                """;
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES + "---\n" + ec, "v.yaml",
                Fleet.volume("logs", "ec", "10GiB", false)));
        new Reconciler(store, "main").reconcileOnce();
        List<String> serials = recorded().volumes().get("logs").allocation().orElseThrow().extents().stream()
                .map(Extent::serial).toList();
        String inventory = Fleet.inventory(6, 3, 4, "1TiB");
        for (String failed : serials.subList(0, 2)) {
            inventory = inventory.replace("serial: " + failed + "\n        capacity: 1TiB\n", "serial: " + failed
                    + "\n        capacity: 1TiB\n        health: failed\n");
        }
        Fleet.importInventory(store, inventory);
        Fleet.commitDesired(store, Fleet.files("d.yaml", "apiVersion: nvmesh.io/v1\nkind: Drive\nmetadata:\n"
                + "  name: retire\nspec:\n  serial: " + serials.get(2) + "\n  evacuate: true\n"));

        ReconcileReport r = new Reconciler(store, "main").reconcileOnce();

        assertThat(r.outcome()).as(r.toString()).isEqualTo(ReconcileReport.Kind.RECORDED);
        assertThat(r.placed()).isEmpty();
        VolumeRecord logs = recorded().volumes().get("logs");
        assertThat(logs.status()).isEqualTo(VolumeStatus.FAILED);
        assertThat(logs.allocation().orElseThrow().extents()).extracting(Extent::serial).isEqualTo(serials);
        assertThat(logs.reason()).startsWith("data lost: chunk 0 group 0 keeps 1 of the 2 segments needed to rebuild"
                + " it").contains("cannot move segment 2 of group 0 in chunk 0 of volume logs off drive "
                + serials.get(2) + " (evacuate drive " + serials.get(2) + "): its group lost its data");
        assertThat(HistoryCheck.check(store, "main", "").findings()).isEmpty();
    }

    @Test
    void unchangedObjectsMakeNoGitChange() {
        Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml", Fleet.volumes("v", 0, 10,
                "2GiB")));
        new Reconciler(store, "main").reconcileOnce();
        Snapshot s = store.read(StateStore.STATE_REF);
        RecordedState state = StateFiles.decodeStrict(s);

        assertThat(StateFiles.changes(s, state).isEmpty()).isTrue();
        Map<String, byte[]> encoded = StateFiles.encode(state);
        assertThat(encoded.keySet()).containsAll(s.paths());
        assertThat(new String(encoded.get("volumes/v-0001.json"), StandardCharsets.UTF_8)).endsWith("}\n");
        assertThat(Fleet.importInventory(store, Fleet.inventory(6, 3, 4, "1TiB")).changed()).isFalse();
    }
}
