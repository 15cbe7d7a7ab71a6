package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.Policies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GitOps commands in-process against a real bare repository. */
class GitOpsCommandsTest {

    private static final String SAMPLES = "../samples";
    private static final String FLEET = "../samples/inventory/fleet.yaml";

    @TempDir
    Path tmp;

    private String repo() {
        return "--repo=" + tmp.resolve("desired.git");
    }

    @Test
    void theToursFiveCommandsWorkOnTheSamples() {
        NvmeshRun imported = NvmeshRun.of("inventory", "import", FLEET, repo());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("20 targets, 160 drives, 23 clients");

        NvmeshRun applied = NvmeshRun.of("apply", SAMPLES, "-m", "samples", repo());
        assertThat(applied.exitCode()).as(applied.err()).isZero();
        assertThat(applied.out()).contains("write  samples/volumes/payments/volumes.yaml");

        NvmeshRun preview = NvmeshRun.of("diff", SAMPLES, repo());
        assertThat(preview.exitCode()).as(preview.err()).isEqualTo(1);
        assertThat(preview.out()).contains("+ create pg-payments-01", "Plan: 20 to create, 0 to extend");

        NvmeshRun reconciled = NvmeshRun.of("reconcile", "--once", repo());
        assertThat(reconciled.exitCode()).as(reconciled.err()).isZero();
        assertThat(reconciled.out()).contains("created ledger", "20 created", "0 unplaceable");

        NvmeshRun after = NvmeshRun.of("diff", SAMPLES, repo());
        assertThat(after.exitCode()).as(after.out()).isZero();
        assertThat(after.out()).contains("No changes.");

        NvmeshRun fsck = NvmeshRun.of("fsck", repo());
        assertThat(fsck.exitCode()).as(fsck.out()).isZero();
        assertThat(fsck.out()).contains("20 volumes, 160 drives: consistent");
    }

    @Test
    void aLostStateRefStopsReconcileFsckNamesTheLastGoodCommitAndStateRestoreBringsItBack() throws Exception {
        assertThat(NvmeshRun.of("inventory", "import", FLEET, repo()).exitCode()).isZero();
        assertThat(NvmeshRun.of("apply", SAMPLES, "-m", "samples", repo()).exitCode()).isZero();
        assertThat(NvmeshRun.of("reconcile", "--once", repo()).exitCode()).isZero();
        String good;
        try (StateStore store = StateStore.openOrCreate(tmp.resolve("desired.git"))) {
            good = store.resolve(StateStore.STATE_REF);
        }
        Path ref = tmp.resolve("desired.git/refs/nvmesh/state");
        Files.writeString(ref, "not-a-sha\n");

        NvmeshRun reconcile = NvmeshRun.of("reconcile", "--once", repo());
        assertThat(reconcile.exitCode()).isEqualTo(1);
        assertThat(reconcile.err()).contains("refs/nvmesh/state", "unreadable").doesNotContain("Exception");
        assertThat(Files.readString(ref)).as("nothing replaced it").isEqualTo("not-a-sha\n");

        NvmeshRun fsck = NvmeshRun.of("fsck", repo());
        assertThat(fsck.exitCode()).isEqualTo(1);
        assertThat(fsck.out()).contains("unreadable", "last good commit: " + good, "nvmesh state restore " + good);

        NvmeshRun init = NvmeshRun.of("state", "init", repo());
        assertThat(init.exitCode()).isEqualTo(1);
        assertThat(init.err()).contains("refused to start a new recorded state");

        NvmeshRun restore = NvmeshRun.of("state", "restore", good, repo());
        assertThat(restore.exitCode()).as(restore.err()).isZero();
        assertThat(restore.out()).contains("now points at " + good);

        NvmeshRun history = NvmeshRun.of("fsck", "--history", repo());
        assertThat(history.exitCode()).as(history.out()).isZero();
        assertThat(history.out()).contains("20 volumes, 160 drives: consistent", "every step keeps the rules");
    }

    @Test
    void inventoryImportListsEveryProblemWithLineAndColumnAndRecordsNothing() throws Exception {
        Path bad = tmp.resolve("inventory.yaml");
        Files.writeString(bad, """
                apiVersion: nvmesh.io/v1
                kind: Inventory
                targets:
                  - id: t1
                    health: sleepy
                    drives:
                      - serial: S1
                        capacity: 2XB
                """);

        NvmeshRun run = NvmeshRun.of("inventory", "import", bad.toString(), repo());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("has 2 problems; nothing was recorded",
                bad + ":5:13: targets[0].health: \"sleepy\" is not one of healthy, unhealthy",
                bad + ":8:19: targets[0].drives[0].capacity: \"2XB\" is not a size").doesNotContain("Exception");
        try (StateStore store = StateStore.openOrCreate(tmp.resolve("desired.git"))) {
            assertThat(store.read(StateStore.STATE_REF).exists()).isFalse();
        }
    }

    @Test
    void inventoryImportRefusesToOverwriteAnAgentManagedTargetUnlessForcedAndNeverItsHealth() throws Exception {
        Path file = tmp.resolve("inventory.yaml");
        Files.writeString(file, """
                apiVersion: nvmesh.io/v1
                kind: Inventory
                targets:
                  - id: t1
                    labels: {rack: r1}
                    drives:
                      - {serial: S1, capacity: 1TiB}
                  - id: t3
                    labels: {rack: r3}
                    drives:
                      - {serial: S3, capacity: 1TiB}
                """);
        assertThat(NvmeshRun.of("inventory", "import", file.toString(), repo()).exitCode()).isZero();
        String agents;
        try (StateStore store = StateStore.openOrCreate(tmp.resolve("desired.git"))) {
            // What the reconciler records once t3's node agent reports: managed, its drive failed.
            Snapshot s = store.read(StateStore.STATE_REF);
            RecordedState state = StateFiles.decodeStrict(s);
            Inventory reported = new Inventory(state.inventory().targets().stream().map(t -> t.id().equals("t3")
                    ? t.withDrives(List.of(t.drives().get(0).withHealth(DriveHealth.FAILED))).asManaged() : t)
                    .toList(), state.inventory().clients());
            store.commit(StateStore.STATE_REF, s.commitId(), StateFiles.changes(s, state.withInventory(reported)),
                    "agent t3", store.defaultAuthor());
            agents = store.read(StateStore.STATE_REF).commitId();
        }
        Files.writeString(file, Files.readString(file).replace("rack: r3", "rack: r9"));

        NvmeshRun refused = NvmeshRun.of("inventory", "import", file.toString(), repo());

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("would overwrite what node agents report; nothing was recorded",
                "\n  target t3 is reported by its node agent (managed); its inventory comes from the agent, not "
                        + "from a file (the file changes labels {rack=r3} → {rack=r9}, drive S3 health failed → ok)")
                .doesNotContain("target t1");
        try (StateStore store = StateStore.openOrCreate(tmp.resolve("desired.git"))) {
            assertThat(store.read(StateStore.STATE_REF).commitId()).as("nothing recorded").isEqualTo(agents);
        }
        NvmeshRun forced = NvmeshRun.of("inventory", "import", "--force", file.toString(), repo());
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(forced.out()).contains("health kept from their agents: t3");
        try (StateStore store = StateStore.openOrCreate(tmp.resolve("desired.git"))) {
            Snapshot s = store.read(StateStore.STATE_REF);
            assertThat(s.commitId()).isNotEqualTo(agents);
            Target t3 = StateFiles.decodeStrict(s).inventory().targets().get(1);
            assertThat(t3.labels()).containsEntry("rack", "r9");
            assertThat(t3.drives().get(0).health()).isEqualTo(DriveHealth.FAILED);
            assertThat(t3.managed()).isTrue();
        }
        assertThat(NvmeshRun.of("inventory", "import", "--help").out()).contains("--force", "kept as recorded");
    }

    @Test
    void diffOutputsJsonWithFormatVersionAndExitsOneOnChanges() {
        NvmeshRun.of("inventory", "import", FLEET, repo());

        NvmeshRun run = NvmeshRun.of("diff", "-o", "json", SAMPLES + "/policies", SAMPLES + "/classes",
                SAMPLES + "/volumes/payments", repo());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.out()).contains("\"formatVersion\" : 1", "\"create\" : 4", "\"placements\"");
    }

    @Test
    void diffOfInvalidManifestsIsAnErrorNotAChange() throws Exception {
        // Inside the checkout: repository paths are relative to its root.
        Path dir = Files.createDirectories(Path.of("target", "gitops-test-" + System.nanoTime()));
        Files.writeString(dir.resolve("v.yaml"), "apiVersion: nvmesh.io/v1\nkind: Volume\nmetadata:\n  name: a\n"
                + "spec:\n  policy: nope\n  capacity: 2XB\n");

        NvmeshRun run = NvmeshRun.of("diff", dir.resolve("v.yaml").toString(), repo());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: desired manifests are invalid").contains("v.yaml:7:");
    }

    @Test
    void pruneRemovesManifestsDeletedLocallyButOnlyUnderTheNamedFolders() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "gitops-prune-" + System.nanoTime()));
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
        Files.writeString(dir.resolve("a.yaml"), volume("a"));
        Files.writeString(dir.resolve("b.yaml"), volume("b"));
        assertThat(NvmeshRun.of("apply", dir.toString(), repo()).exitCode()).isZero();
        Files.delete(dir.resolve("b.yaml"));

        NvmeshRun plain = NvmeshRun.of("apply", dir.toString(), repo());
        NvmeshRun pruned = NvmeshRun.of("apply", "--prune", dir.toString(), repo());

        assertThat(plain.out()).startsWith("no changes");
        assertThat(pruned.exitCode()).as(pruned.err()).isZero();
        assertThat(pruned.out()).contains("remove cli/" + dir.toString().replace('\\', '/') + "/b.yaml",
                "(0 written, 1 removed)");
    }

    @Test
    void stripesOnOneDriveArePendingWithTheReasonOrSharedOnlyWhenAllowedAndDiffAndFsckSaySo() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "gitops-stripes-" + System.nanoTime()));
        Files.writeString(tmp.resolve("one-drive.yaml"), "apiVersion: nvmesh.io/v1\nkind: Inventory\ntargets:\n"
                + "  - id: t00\n    drives:\n      - serial: S0000\n        capacity: 1TiB\n");
        assertThat(NvmeshRun.of("inventory", "import", tmp.resolve("one-drive.yaml").toString(), repo()).exitCode())
                .isZero();
        String stripe = Policies.named(Policies.STRIPE, "p");
        Files.writeString(dir.resolve("policy.yaml"), stripe);
        Files.writeString(dir.resolve("a.yaml"), volume("a"));

        NvmeshRun refused = NvmeshRun.of("diff", dir.toString(), repo());
        assertThat(refused.out()).contains("! cannot create a: cannot place volume a (raid0, 2 stripes of 512 MiB):"
                + " stripe width 2 needs 2 distinct drives per chunk, the fleet offers 1 drive; to place it on shared"
                + " drives anyway, set allowSharedDrives: true in policy p");

        Files.writeString(dir.resolve("policy.yaml"), stripe + "  allowSharedDrives: true\n");
        NvmeshRun shared = NvmeshRun.of("diff", dir.toString(), repo());
        assertThat(shared.out()).contains("+ create a (1 GiB)", "stripes share drives, as the policy allows"
                + " (allowSharedDrives: true): chunk 0: stripes 0, 1 share drive S0000");
        assertThat(NvmeshRun.of("apply", dir.toString(), repo()).exitCode()).isZero();
        assertThat(NvmeshRun.of("reconcile", "--once", repo()).exitCode()).isZero();

        NvmeshRun fsck = NvmeshRun.of("fsck", repo());
        assertThat(fsck.exitCode()).as("a warning does not fail fsck").isZero();
        assertThat(fsck.out()).contains("warning: volume a: stripes share drives, as policy p allows"
                + " (allowSharedDrives: true), so they do not work in parallel: chunk 0: stripes 0, 1 share drive S0000");
    }

    private static final String POLICY = Policies.named(Policies.PLAIN, "p");

    private static String volume(String name) {
        return "apiVersion: nvmesh.io/v1\nkind: Volume\nmetadata:\n  name: " + name + "\nspec:\n  policy: p\n"
                + "  capacity: 1GiB\n  deletionProtection: false\n";
    }

    @Test
    void aLinkLeadingOutsideTheTreeIsRefusedByValidateDiffAndApplyAndNothingIsCommitted() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "gitops-links-" + System.nanoTime()));
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
        Files.writeString(tmp.resolve("elsewhere.yaml"), volume("from-elsewhere"));
        Files.createSymbolicLink(dir.resolve("v.yaml"), tmp.resolve("elsewhere.yaml"));
        String refusal = dir.toAbsolutePath().resolve("v.yaml") + ": symbolic link to "
                + tmp.toRealPath().resolve("elsewhere.yaml") + " leads outside " + dir.toRealPath();

        NvmeshRun validate = NvmeshRun.of("validate", dir.toAbsolutePath().toString());
        NvmeshRun diff = NvmeshRun.of("diff", dir.toString(), repo());
        NvmeshRun apply = NvmeshRun.of("apply", dir.toString(), repo());

        assertThat(validate.exitCode()).isEqualTo(1);
        assertThat(validate.out()).contains(refusal);
        assertThat(diff.exitCode()).isNotZero();
        assertThat(diff.err()).contains("symbolic links that lead outside it", refusal);
        assertThat(apply.exitCode()).isNotZero();
        assertThat(apply.err()).contains("symbolic links that lead outside it", refusal);
        Files.delete(dir.resolve("v.yaml"));
        NvmeshRun clean = NvmeshRun.of("apply", dir.toString(), repo());
        assertThat(clean.exitCode()).as(clean.err()).isZero();
        assertThat(clean.out()).contains("(1 written, 0 removed)"); // the refused apply committed nothing
    }

    @Test
    void manifestsOutsideTheCheckoutAreRefused() throws Exception {
        Files.writeString(tmp.resolve("v.yaml"), "kind: Volume\n");

        NvmeshRun run = NvmeshRun.of("apply", tmp.resolve("v.yaml").toString(), repo());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("is outside", "must live inside the checkout");
    }

    @Test
    void applyRefusesWhenTheBranchIsNotWhereTheUserSawIt() {
        NvmeshRun run = NvmeshRun.of("apply", SAMPLES, "--expect", "1234567", repo());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("is at (no commit), not at 1234567 as expected; nothing was committed");
    }

    @Test
    void aSavedPlanIsRefusedOnceTheStateMoved() {
        NvmeshRun.of("inventory", "import", FLEET, repo());
        NvmeshRun.of("apply", SAMPLES, repo());
        Path plan = tmp.resolve("plan.json");
        NvmeshRun diff = NvmeshRun.of("diff", "--ref", "main", "--out", plan.toString(), repo());
        assertThat(diff.exitCode()).isEqualTo(1);
        assertThat(plan).content().contains("\"formatVersion\" : 1", "\"stateCommit\"");

        NvmeshRun.of("reconcile", "--once", repo());
        NvmeshRun run = NvmeshRun.of("apply", plan.toString(), repo());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("the saved plan is stale", "recorded state moved", "volume ledger");
    }

    @Test
    void fsckOfAnEmptyRepositoryIsClean() {
        NvmeshRun run = NvmeshRun.of("fsck", repo());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("0 volumes, 0 drives: consistent");
    }

    @Test
    void everyGitOpsCommandHasExamplesInItsHelp() {
        for (String[] cmd : new String[][] {{"diff"}, {"apply"}, {"reconcile"}, {"fsck"}, {"inventory", "import"}}) {
            String[] args = java.util.Arrays.copyOf(cmd, cmd.length + 1);
            args[cmd.length] = "--help";
            NvmeshRun run = NvmeshRun.of(args);
            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).as(String.join(" ", cmd)).contains("Examples:", "--repo");
        }
    }
}
