package io.nvmesh.service.nodes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Collects changes for a window after the first one (or until the batch is full) and then hands the batch to the
 * listeners on the hub's timer thread. A commit per drive would flood the state ref when a rack comes back; a window
 * of a fraction of a second costs little delay and turns a thousand changes into one commit.
 *
 * <p>At flush, a {@code DriveMissing} and a {@code DriveAdded} of the same serial on two targets become one {@code
 * DriveMoved}: the two targets' reports may arrive in either order.
 */
final class ChangeBatcher {

    private static final System.Logger LOG = System.getLogger(ChangeBatcher.class.getName());

    private final String instance;
    private final long windowMillis;
    private final int maxBatch;
    private final ScheduledExecutorService timer;
    private final List<Consumer<InventoryChanges>> listeners = new CopyOnWriteArrayList<>();
    private List<InventoryChange> pending = new ArrayList<>();
    private long sequence;
    private boolean scheduled;

    ChangeBatcher(String instance, long windowMillis, int maxBatch, ScheduledExecutorService timer) {
        this.instance = instance;
        this.windowMillis = windowMillis;
        this.maxBatch = maxBatch;
        this.timer = timer;
    }

    void addListener(Consumer<InventoryChanges> listener) {
        listeners.add(listener);
    }

    synchronized void add(InventoryChange change) {
        pending.add(change);
        try {
            if (pending.size() >= maxBatch) {
                timer.execute(this::flush);
            } else if (!scheduled) {
                scheduled = true;
                timer.schedule(this::flush, windowMillis, TimeUnit.MILLISECONDS);
            }
        } catch (RejectedExecutionException e) {
            // The hub is closing; whoever owns these nodes next will see them afresh.
            pending.clear();
        }
    }

    void flush() {
        List<InventoryChange> batch;
        long seq;
        synchronized (this) {
            scheduled = false;
            if (pending.isEmpty()) {
                return;
            }
            batch = coalesce(pending);
            pending = new ArrayList<>();
            seq = ++sequence;
        }
        InventoryChanges changes = new InventoryChanges(instance, seq, batch);
        for (Consumer<InventoryChanges> l : listeners) {
            try {
                l.accept(changes);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, instance + ": an inventory listener failed", e);
            }
        }
    }

    static List<InventoryChange> coalesce(List<InventoryChange> changes) {
        Map<String, Integer> missingAt = new LinkedHashMap<>();
        Map<String, Integer> addedAt = new LinkedHashMap<>();
        for (int i = 0; i < changes.size(); i++) {
            InventoryChange c = changes.get(i);
            if (c instanceof InventoryChange.DriveMissing m) {
                missingAt.put(m.serial(), i);
            } else if (c instanceof InventoryChange.DriveAdded a) {
                addedAt.put(a.drive().serial(), i);
            }
        }
        List<InventoryChange> out = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            InventoryChange c = changes.get(i);
            if (c instanceof InventoryChange.DriveMissing m && addedAt.containsKey(m.serial())) {
                InventoryChange.DriveAdded a = (InventoryChange.DriveAdded) changes.get(addedAt.get(m.serial()));
                if (!a.nodeId().equals(m.nodeId())) {
                    continue; // reported as the move below
                }
            }
            if (c instanceof InventoryChange.DriveAdded a && missingAt.containsKey(a.drive().serial())) {
                InventoryChange.DriveMissing m = (InventoryChange.DriveMissing) changes.get(
                        missingAt.get(a.drive().serial()));
                if (!a.nodeId().equals(m.nodeId())) {
                    out.add(new InventoryChange.DriveMoved(a.nodeId(), a.drive().serial(), m.nodeId(), a.drive()));
                    continue;
                }
            }
            out.add(c);
        }
        return out;
    }
}
