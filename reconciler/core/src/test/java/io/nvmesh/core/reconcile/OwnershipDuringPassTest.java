package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.StateStore;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service's ownership is live: a member that dies or comes back moves volumes between instances while a pass runs.
 * A pass must treat each volume as owned or not throughout, wherever in the pass the change lands; a volume owned at
 * one step and foreign at the next lost its record (the writer refused the commit: "deleted although desired commit
 * ... holds it"; found by the safety suite's TruncatedObjectTest in reconciler/service, when a restarted instance
 * took its volumes back).
 */
class OwnershipDuringPassTest {

    @TempDir
    Path tmp;

    @Test
    void aVolumeKeepsItsRecordWhereverInAPassItsOwnershipChanges() {
        try (StateStore store = StateStore.openOrCreate(tmp.resolve("state.git"))) {
            Fleet.importInventory(store, Fleet.inventory(6, 3, 2, "1TiB"));
            Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml",
                    Fleet.volumes("v", 0, 3, "10GiB")));
            new Reconciler(store, "main").reconcileOnce();
            RecordedState placed = StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
            // A new volume, so that the pass has something to record.
            Fleet.commitDesired(store, Fleet.files("w.yaml", Fleet.volume("w", "mirror", "10GiB", false)));
            RecordedState recorded = StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
            DesiredManifests desired = DesiredManifests.load(DesiredFiles.of(new DesiredBranch(store, "main").read()));

            // Owned for the first n questions about v-0001, then not: every point of the pass where it can change.
            for (int n = 0; n <= 12; n++) {
                AtomicInteger asked = new AtomicInteger();
                int flip = n;
                Predicate<String> owns = v -> !v.equals("v-0001") || asked.getAndIncrement() < flip;
                Reconciliation.Result r = Reconciliation.run(Reconciliation.Input.of(recorded, desired.state(),
                        store.resolve("refs/heads/main")).owns(owns));

                assertThat(r.after().volumes()).as("flip after %d questions", n).containsKey("v-0001");
                assertThat(r.after().volumes().get("v-0001").allocation())
                        .isEqualTo(placed.volumes().get("v-0001").allocation());
            }
        }
    }
}
