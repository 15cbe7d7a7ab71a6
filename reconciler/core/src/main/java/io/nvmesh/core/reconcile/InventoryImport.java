package io.nvmesh.core.reconcile;

import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.inventory.InventoryFile;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.StateStore;
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
        StateWriter writer = new StateWriter(store, "main", author);
        StateWriter.Result r = writer.write(recorded -> {
            RecordedState after = recorded.withInventory(inventory);
            changed[0] = changedNodes(recorded.inventory(), inventory);
            return StateWriter.Proposal.write(after, "inventory import " + file + ": " + inventory.targets().size()
                    + " targets, " + drives(inventory) + " drives, " + inventory.clients().size() + " clients", null);
        });
        int drives = drives(inventory);
        return switch (r.kind()) {
            case RECORDED -> new Result(r.previousId(), r.commitId(), inventory.targets().size(), drives,
                    inventory.clients().size(), changed[0], r.retries());
            case UNCHANGED -> new Result(r.commitId(), r.commitId(), inventory.targets().size(), drives,
                    inventory.clients().size(), 0, r.retries());
            default -> throw new GitOpsRefusal("could not record the inventory: " + r.reason());
        };
    }

    /** Targets and clients added, changed or removed: the inventory files the import writes or deletes. */
    private static int changedNodes(Inventory was, Inventory now) {
        java.util.Set<Object> before = new java.util.HashSet<>(was.targets());
        before.addAll(was.clients());
        java.util.Set<Object> after = new java.util.HashSet<>(now.targets());
        after.addAll(now.clients());
        java.util.Set<String> ids = new java.util.HashSet<>();
        before.stream().filter(n -> !after.contains(n)).forEach(n -> ids.add(String.valueOf(id(n))));
        after.stream().filter(n -> !before.contains(n)).forEach(n -> ids.add(String.valueOf(id(n))));
        return ids.size();
    }

    private static String id(Object node) {
        return node instanceof io.nvmesh.core.allocation.Target t ? "target " + t.id()
                : "client " + ((io.nvmesh.core.allocation.Client) node).id();
    }

    private static int drives(Inventory inventory) {
        return inventory.targets().stream().mapToInt(t -> t.drives().size()).sum();
    }
}
