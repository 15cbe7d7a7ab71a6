package io.nvmesh.service.nodes;

import java.util.List;
import java.util.Objects;

/**
 * A batch of inventory changes observed by one instance within one batching window, in the order observed. The
 * recorder turns one batch into (at most) one commit on the state ref.
 *
 * @param instance the observing instance
 * @param sequence grows by one per batch of that instance's life
 */
public record InventoryChanges(String instance, long sequence, List<InventoryChange> changes) {

    public InventoryChanges {
        Objects.requireNonNull(instance, "instance");
        changes = List.copyOf(changes);
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("a batch has at least one change");
        }
    }
}
