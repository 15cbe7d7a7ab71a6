package io.nvmesh.core.record;

import io.nvmesh.core.allocation.Allocations;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.VolumeAllocation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything on the state ref, decoded: the inventory, every volume record by name, the reconcile marker, and what each
 * agent-managed target last acked serving (by target id; a target without an entry serves nothing recorded yet).
 * {@code commitId} is the state commit it was read from ({@code ""} for a state ref that does not exist yet);
 * {@code generation} counts the state commits up to it (each commit is its parent's plus one; 0 before the first, and
 * for states written before generations were kept).
 */
public record RecordedState(String commitId, Inventory inventory, SortedMap<String, VolumeRecord> volumes,
        Reconciled reconciled, SortedMap<String, ServedLayout> served, long generation) {

    public RecordedState {
        Objects.requireNonNull(commitId, "commitId");
        Objects.requireNonNull(inventory, "inventory");
        Objects.requireNonNull(reconciled, "reconciled");
        volumes = Collections.unmodifiableSortedMap(new TreeMap<>(volumes));
        volumes.forEach((k, v) -> {
            if (!k.equals(v.name())) {
                throw new IllegalArgumentException("volume record " + v.name() + " is filed as " + k);
            }
        });
        served = served == null || served.isEmpty() ? Collections.emptySortedMap()
                : Collections.unmodifiableSortedMap(new TreeMap<>(served));
        served.forEach((k, v) -> {
            if (!k.equals(v.target())) {
                throw new IllegalArgumentException("served layout of " + v.target() + " is filed as " + k);
            }
        });
        if (generation < 0) {
            throw new IllegalArgumentException("negative state generation " + generation);
        }
    }

    public RecordedState(String commitId, Inventory inventory, SortedMap<String, VolumeRecord> volumes,
            Reconciled reconciled, SortedMap<String, ServedLayout> served) {
        this(commitId, inventory, volumes, reconciled, served, 0);
    }

    /** A state without served layouts (nothing agent-managed has acked yet). */
    public RecordedState(String commitId, Inventory inventory, SortedMap<String, VolumeRecord> volumes,
            Reconciled reconciled) {
        this(commitId, inventory, volumes, reconciled, null, 0);
    }

    public static RecordedState empty() {
        return new RecordedState("", new Inventory(List.of(), List.of()), new TreeMap<>(), Reconciled.NEVER);
    }

    /** The placed volumes and the space they still hold, as the planner takes them. */
    public Allocations allocations() {
        List<VolumeAllocation> out = new ArrayList<>(volumes.size());
        List<io.nvmesh.core.allocation.Extent> held = new ArrayList<>();
        volumes.values().forEach(v -> {
            v.allocation().ifPresent(out::add);
            held.addAll(v.heldBeyondAllocation());
        });
        return new Allocations(out, held);
    }

    public RecordedState withVolumes(SortedMap<String, VolumeRecord> newVolumes) {
        return new RecordedState(commitId, inventory, newVolumes, reconciled, served, generation);
    }

    public RecordedState withReconciled(Reconciled r) {
        return new RecordedState(commitId, inventory, volumes, r, served, generation);
    }

    public RecordedState withInventory(Inventory i) {
        return new RecordedState(commitId, i, volumes, reconciled, served, generation);
    }

    /** The same state as recorded by commit {@code id} at generation {@code g}. */
    public RecordedState at(String id, long g) {
        return new RecordedState(id, inventory, volumes, reconciled, served, g);
    }

    /** Every extent some volume holds: its allocation's segments and the space it is still releasing. */
    public List<io.nvmesh.core.allocation.Extent> heldExtents() {
        List<io.nvmesh.core.allocation.Extent> out = new ArrayList<>();
        for (VolumeRecord v : volumes.values()) {
            v.allocation().ifPresent(a -> out.addAll(a.extents()));
            out.addAll(v.heldBeyondAllocation());
        }
        return out;
    }

    public RecordedState withServed(SortedMap<String, ServedLayout> newServed) {
        return new RecordedState(commitId, inventory, volumes, reconciled, newServed, generation);
    }
}
