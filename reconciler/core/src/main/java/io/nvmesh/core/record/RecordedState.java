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
 * {@code commitId} is the state commit it was read from ({@code ""} for a state ref that does not exist yet).
 */
public record RecordedState(String commitId, Inventory inventory, SortedMap<String, VolumeRecord> volumes,
        Reconciled reconciled, SortedMap<String, ServedLayout> served) {

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
    }

    /** A state without served layouts (nothing agent-managed has acked yet). */
    public RecordedState(String commitId, Inventory inventory, SortedMap<String, VolumeRecord> volumes,
            Reconciled reconciled) {
        this(commitId, inventory, volumes, reconciled, null);
    }

    public static RecordedState empty() {
        return new RecordedState("", new Inventory(List.of(), List.of()), new TreeMap<>(), Reconciled.NEVER);
    }

    /** The placed volumes, as the planner takes them. */
    public Allocations allocations() {
        List<VolumeAllocation> out = new ArrayList<>(volumes.size());
        volumes.values().forEach(v -> v.allocation().ifPresent(out::add));
        return new Allocations(out);
    }

    public RecordedState withVolumes(SortedMap<String, VolumeRecord> newVolumes) {
        return new RecordedState(commitId, inventory, newVolumes, reconciled, served);
    }

    public RecordedState withReconciled(Reconciled r) {
        return new RecordedState(commitId, inventory, volumes, r, served);
    }

    public RecordedState withInventory(Inventory i) {
        return new RecordedState(commitId, i, volumes, reconciled, served);
    }

    public RecordedState withServed(SortedMap<String, ServedLayout> newServed) {
        return new RecordedState(commitId, inventory, volumes, reconciled, newServed);
    }
}
