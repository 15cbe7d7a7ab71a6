package io.nvmesh.core.reconcile;

import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.inventory.InventoryFile;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.Decision;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.UpdateResult;
import io.nvmesh.schema.Problem;

/**
 * {@code nvmesh inventory import}: replaces the recorded inventory with a file's, by compare-and-swap on the state
 * ref. Allocations are not touched: a drive that vanished leaves its segments degraded until reconciled.
 */
public final class InventoryImport {

    /** What was recorded: counts, and the state commit before and after. */
    public record Result(String previousCommit, String commit, int targets, int drives, int clients,
            int filesChanged, int retries) {
        public boolean changed() {
            return !commit.equals(previousCommit);
        }
    }

    private InventoryImport() {
    }

    public static Result record(StateStore store, String file, byte[] bytes, Author author) {
        InventoryFile.Result parsed = InventoryFile.parse(file, bytes);
        if (parsed.inventory().isEmpty()) {
            throw new GitOpsRefusal("inventory " + file + " has " + parsed.problems().size() + " problem"
                    + (parsed.problems().size() == 1 ? "" : "s") + "; nothing was recorded",
                    parsed.problems().stream().map(Problem::render).toList());
        }
        Inventory inventory = parsed.inventory().get();
        int[] changed = {0};
        UpdateResult r = store.update(StateStore.STATE_REF, author, snapshot -> {
            RecordedState recorded = Reconciliation.decode(snapshot);
            Changes changes = StateFiles.changes(snapshot, recorded.withInventory(inventory));
            changed[0] = changes.size();
            return changes.isEmpty() ? Decision.noChange()
                    : Decision.commit(changes, "inventory import " + file + ": " + inventory.targets().size()
                            + " targets, " + drives(inventory) + " drives, " + inventory.clients().size() + " clients");
        });
        int drives = drives(inventory);
        if (r instanceof UpdateResult.Updated u) {
            return new Result(u.previousId(), u.commitId(), inventory.targets().size(), drives,
                    inventory.clients().size(), changed[0], u.retries());
        }
        if (r instanceof UpdateResult.Unchanged u) {
            return new Result(u.commitId(), u.commitId(), inventory.targets().size(), drives,
                    inventory.clients().size(), 0, u.retries());
        }
        throw new GitOpsRefusal("could not record the inventory: " + r);
    }

    private static int drives(Inventory inventory) {
        return inventory.targets().stream().mapToInt(t -> t.drives().size()).sum();
    }
}
