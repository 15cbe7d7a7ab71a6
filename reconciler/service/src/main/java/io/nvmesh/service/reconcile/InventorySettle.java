package io.nvmesh.service.reconcile;

import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.record.VolumeRecord;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Whether the recorded inventory has stopped changing, so that a {@code capacity: max} volume is sized against the
 * whole fleet: it is sized once, at create, and a fleet that is still reporting in (as in {@code nvmesh demo}, where the
 * reconcilers start before the fleet) would give it only the targets recorded so far. Fixed-size volumes do not wait:
 * one tried too early is pending with its reason and tried again on every pass.
 *
 * <p>Fed with every recorded state the loop observes; asked by the reconciler at each pass. Thread-safe.
 */
final class InventorySettle {

    /** Longer than a few inventory batches (200 ms each) of agents dialling in, shorter than a person's patience. */
    static final Duration DEFAULT = Duration.ofSeconds(3);

    private final long settleNanos;
    private final LongSupplier ticker;
    private Inventory last;
    private long changedAt;

    InventorySettle(Duration settle, LongSupplier ticker) {
        this.settleNanos = settle.toNanos();
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** The inventory of an observed state: a different one restarts the wait. */
    synchronized void observe(Inventory inventory) {
        if (!inventory.equals(last)) {
            last = inventory;
            changedAt = ticker.getAsLong();
        }
    }

    /** Empty when settled; else why {@code max} volumes wait, beginning {@link VolumeRecord#WAITING}. */
    synchronized String hold() {
        if (last == null) {
            return VolumeRecord.WAITING + "the recorded inventory (none observed yet): capacity: max is sized once, "
                    + "at create";
        }
        long quiet = ticker.getAsLong() - changedAt;
        if (quiet >= settleNanos) {
            return "";
        }
        return VolumeRecord.WAITING + "the recorded inventory to settle (it changed " + quiet / 1_000_000
                + " ms ago; " + settleNanos / 1_000_000 + " ms without a change are needed): capacity: max is sized "
                + "once, at create";
    }
}
