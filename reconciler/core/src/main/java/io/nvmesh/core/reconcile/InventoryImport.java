package io.nvmesh.core.reconcile;

import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.inventory.InventoryFile;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.schema.Problem;
import java.util.List;

/**
 * {@code nvmesh inventory import}: replaces the recorded inventory with a file's, by compare-and-swap on the state
 * ref. Allocations are not touched: a drive that vanished leaves its segments degraded until reconciled.
 *
 * <p>Targets a node agent reports ({@code managed}) are not the file's to change: an import that would change or
 * remove one is refused, and with {@code force} the agent's health and the managed mark survive it
 * ({@link InventoryMerge}).
 */
public final class InventoryImport {

    /**
     * What was recorded: counts, the state commit before and after, and (with {@code force}) the agent-managed targets
     * kept because the file does not list them and those whose labels and drives were taken from the file.
     */
    public record Result(String previousCommit, String commit, int targets, int drives, int clients,
            int filesChanged, int retries, List<String> keptManaged, List<String> mergedManaged) {
        public Result {
            keptManaged = List.copyOf(keptManaged);
            mergedManaged = List.copyOf(mergedManaged);
        }

        public boolean changed() {
            return !commit.equals(previousCommit);
        }
    }

    private InventoryImport() {
    }

    /** Imports without {@code --force}: refuses to change or remove an agent-managed target. */
    public static Result record(StateStore store, String file, byte[] bytes, Author author) {
        return record(store, file, bytes, author, false);
    }

    /**
     * @param force take the file's labels and drives for agent-managed targets too, keeping the health their agents
     *        reported and their managed mark, and keep those the file does not list
     */
    public static Result record(StateStore store, String file, byte[] bytes, Author author, boolean force) {
        InventoryFile.Result parsed = InventoryFile.parse(file, bytes);
        if (parsed.inventory().isEmpty()) {
            throw new GitOpsRefusal("inventory " + file + " has " + parsed.problems().size() + " problem"
                    + (parsed.problems().size() == 1 ? "" : "s") + "; nothing was recorded",
                    parsed.problems().stream().map(Problem::render).toList());
        }
        Inventory fromFile = parsed.inventory().get();
        int[] changed = {0};
        InventoryMerge.Outcome[] outcome = {null};
        StateWriter writer = new StateWriter(store, "main", author);
        StateWriter.Result r = writer.write(recorded -> {
            InventoryMerge.Outcome o = InventoryMerge.of(recorded.inventory(), fromFile, force);
            if (!o.refusals().isEmpty()) {
                throw new GitOpsRefusal("inventory " + file + " would overwrite what node agents report; nothing was "
                        + "recorded", o.refusals());
            }
            outcome[0] = o;
            Inventory inventory = o.inventory();
            changed[0] = changedNodes(recorded.inventory(), inventory);
            return StateWriter.Proposal.write(recorded.withInventory(inventory), "inventory import " + file
                    + (force ? " --force" : "") + ": " + inventory.targets().size() + " targets, " + drives(inventory)
                    + " drives, " + inventory.clients().size() + " clients" + notes(o), null);
        });
        return switch (r.kind()) {
            case RECORDED -> result(r.previousId(), r.commitId(), changed[0], r.retries(), outcome[0]);
            case UNCHANGED -> result(r.commitId(), r.commitId(), 0, r.retries(), outcome[0]);
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
        before.stream().filter(n -> !after.contains(n)).forEach(n -> ids.add(id(n)));
        after.stream().filter(n -> !before.contains(n)).forEach(n -> ids.add(id(n)));
        return ids.size();
    }

    private static String id(Object node) {
        return node instanceof io.nvmesh.core.allocation.Target t ? "target " + t.id()
                : "client " + ((io.nvmesh.core.allocation.Client) node).id();
    }

    private static Result result(String previous, String commit, int changed, int retries, InventoryMerge.Outcome o) {
        Inventory i = o.inventory();
        return new Result(previous, commit, i.targets().size(), drives(i), i.clients().size(), changed, retries,
                o.kept(), o.merged());
    }

    /** For the commit message: which agent-managed targets a forced import kept or merged. */
    private static String notes(InventoryMerge.Outcome o) {
        String out = "";
        if (!o.kept().isEmpty()) {
            out += "; kept as their agents report them: " + String.join(", ", o.kept());
        }
        if (!o.merged().isEmpty()) {
            out += "; labels and drives from the file, health from their agents: " + String.join(", ", o.merged());
        }
        return out;
    }

    private static int drives(Inventory inventory) {
        return inventory.targets().stream().mapToInt(t -> t.drives().size()).sum();
    }
}
