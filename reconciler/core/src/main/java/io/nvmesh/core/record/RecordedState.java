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
 * Everything on the state ref, decoded: the inventory, every volume record by name, and the reconcile marker.
 * {@code commitId} is the state commit it was read from ({@code ""} for a state ref that does not exist yet).
 */
public record RecordedState(String commitId, Inventory inventory, SortedMap<String, VolumeRecord> volumes,
        Reconciled reconciled) {

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
        return new RecordedState(commitId, inventory, newVolumes, reconciled);
    }

    public RecordedState withReconciled(Reconciled r) {
        return new RecordedState(commitId, inventory, volumes, r);
    }

    public RecordedState withInventory(Inventory i) {
        return new RecordedState(commitId, i, volumes, reconciled);
    }
}
