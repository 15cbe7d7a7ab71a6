package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.CommitResult;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inventory import} over targets a node agent reports, on a real bare repository: t00 comes from a file; t01
 * and t02 are recorded {@code managed}, as the service records an agent's reports, t01 with drive S0101 failed.
 */
class InventoryImportTest {

    @TempDir
    Path tmp;

    StateStore store;

    @BeforeEach
    void open() {
        store = StateStore.openOrCreate(tmp.resolve("desired.git"));
        Fleet.importInventory(store, inventory(target("t00", "r0", "ok"), target("t01", "r1", "ok"),
                target("t02", "r2", "ok")));
        // What the service's inventory recorder writes when the agents of t01 and t02 say hello, t01's drive failed.
        Snapshot s = store.read(StateStore.STATE_REF);
        RecordedState before = StateFiles.decodeStrict(s);
        Inventory reported = new Inventory(before.inventory().targets().stream().map(t -> switch (t.id()) {
            case "t01" -> t.withDrives(t.drives().stream().map(d -> d.serial().equals("S0101")
                    ? d.withHealth(DriveHealth.FAILED) : d).toList()).withHealth(TargetHealth.UNHEALTHY).asManaged();
            case "t02" -> t.asManaged();
            default -> t;
        }).toList(), before.inventory().clients());
        assertThat(store.commit(StateStore.STATE_REF, s.commitId(), StateFiles.changes(s,
                before.withInventory(reported)), "agents t01, t02", Fleet.TEST))
                .isInstanceOf(CommitResult.Committed.class);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private RecordedState recorded() {
        return StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
    }

    private Target target(RecordedState state, String id) {
        return state.inventory().targets().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void refusesToChangeOrRemoveAgentManagedTargetsAndRecordsNothing() {
        String tip = store.read(StateStore.STATE_REF).commitId();
        String file = inventory(target("t00", "r0", "ok"), target("t01", "r1", "ok"));

        GitOpsRefusal refusal = catchThrowableOfType(GitOpsRefusal.class, () -> Fleet.importInventory(store, file));

        assertThat(refusal).hasMessageStartingWith("inventory inventory.yaml would overwrite what node agents report; "
                + "nothing was recorded");
        assertThat(refusal.details()).satisfiesExactly(
                t01 -> assertThat(t01).startsWith("target t01 is reported by its node agent (managed); its inventory "
                        + "comes from the agent, not from a file (the file changes health unhealthy → healthy, "
                        + "drive S0101 health failed → ok); use --force"),
                t02 -> assertThat(t02).startsWith("target t02 is reported by its node agent (managed); its inventory "
                        + "comes from the agent, not from a file (the file does not list it, so importing would "
                        + "remove it); use --force"));
        assertThat(store.read(StateStore.STATE_REF).commitId()).as("nothing recorded").isEqualTo(tip);
        assertThat(target(recorded(), "t01").drives().get(1).health()).isEqualTo(DriveHealth.FAILED);
    }

    @Test
    void aManagedTargetListedAsRecordedIsNoChangeAndStaysManaged() {
        String file = inventory(target("t00", "r5", "ok"), target("t01", "r1", "failed").replace(
                "    drives:", "    health: unhealthy\n    drives:"), target("t02", "r2", "ok"));

        InventoryImport.Result r = Fleet.importInventory(store, file);

        assertThat(r.changed()).isTrue();
        RecordedState after = recorded();
        assertThat(target(after, "t00").labels()).as("unmanaged: replaced as written").containsEntry("rack", "r5");
        assertThat(target(after, "t01").managed()).isTrue();
        assertThat(target(after, "t02").managed()).isTrue();
    }

    @Test
    void forceTakesLabelsAndDrivesButKeepsTheAgentsHealthAndKeepsUnlistedManagedTargets() {
        String file = inventory(target("t00", "r5", "ok"), target("t01", "r9", "ok").replace(
                "    drives:", "    health: healthy\n    drives:"));

        InventoryImport.Result r = InventoryImport.record(store, "inventory.yaml",
                file.getBytes(StandardCharsets.UTF_8), Fleet.TEST, true);

        assertThat(r.keptManaged()).containsExactly("t02");
        assertThat(r.mergedManaged()).containsExactly("t01");
        assertThat(r.targets()).isEqualTo(3);
        RecordedState after = recorded();
        Target t01 = target(after, "t01");
        assertThat(t01.labels()).containsEntry("rack", "r9");
        assertThat(t01.health()).as("the agent said unhealthy").isEqualTo(TargetHealth.UNHEALTHY);
        assertThat(t01.drives()).extracting(d -> d.serial() + " " + d.health())
                .containsExactly("S0100 OK", "S0101 FAILED");
        assertThat(t01.managed()).isTrue();
        assertThat(target(after, "t02").managed()).as("kept, not removed").isTrue();
        assertThat(target(after, "t00").labels()).containsEntry("rack", "r5");
        assertThat(store.read(StateStore.STATE_REF).text("inventory/targets/t01.json").orElseThrow())
                .contains("\"managed\" : true", "\"health\" : \"failed\"");
    }

    @Test
    void forceRefusesToPutADriveOfAKeptManagedTargetOnAnotherTarget() {
        String tip = store.read(StateStore.STATE_REF).commitId();
        String file = inventory(target("t00", "r0", "ok") + "      - serial: S0200\n        capacity: 1TiB\n");

        GitOpsRefusal refusal = catchThrowableOfType(GitOpsRefusal.class, () -> InventoryImport.record(store,
                "inventory.yaml", file.getBytes(StandardCharsets.UTF_8), Fleet.TEST, true));

        assertThat(refusal.details()).containsExactly("drive S0200 is reported by the node agent of target t02, "
                + "which the file does not list (so it is kept), but the file puts it on target t00; take the drive "
                + "off t00 in the file, or list t02");
        assertThat(store.read(StateStore.STATE_REF).commitId()).isEqualTo(tip);
    }

    /** A target {@code id} in {@code rack} with drives S&lt;nn&gt;00 (ok) and S&lt;nn&gt;01 ({@code secondHealth}). */
    private static String target(String id, String rack, String secondHealth) {
        String n = id.substring(1);
        return "  - id: " + id + "\n    labels: {rack: " + rack + "}\n    drives:\n"
                + "      - serial: S" + n + "00\n        capacity: 1TiB\n"
                + "      - serial: S" + n + "01\n        capacity: 1TiB\n        health: " + secondHealth + "\n";
    }

    private static String inventory(String... targets) {
        return "apiVersion: nvmesh.io/v1\nkind: Inventory\ntargets:\n" + String.join("", targets)
                + "clients:\n  - id: app-1\n";
    }
}
