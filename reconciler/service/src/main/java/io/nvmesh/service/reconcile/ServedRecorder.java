package io.nvmesh.service.reconcile;

import io.nvmesh.core.record.ServedLayout;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.Decision;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.UpdateResult;
import io.nvmesh.service.agent.SegmentLayout;
import io.nvmesh.service.cluster.OwnershipTable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Records on the state ref what the targets owned here serve ({@code served/<target>.json}), from their agents' acks:
 * the layout last sent to a target becomes its served layout when the agent acks that very command as applied; a
 * refusal records nothing (the target keeps serving its previous layout). Acks are collected for a short window and
 * recorded in one compare-and-swap commit that writes only served files whose extents changed, so an ack of the same
 * layout again (a reconnect, a new owner) commits nothing. One writer per file: the target's owner; a layout acked
 * here for a target that has since moved to another owner is dropped.
 *
 * <p>Confined to the reconcile loop's thread, except {@link #acked}, which hands off to it.
 */
final class ServedRecorder {

    private static final System.Logger LOG = System.getLogger(ServedRecorder.class.getName());

    /** How long acks are collected before they are recorded together. */
    static final long WINDOW_MILLIS = 100;

    private final String self;
    private final StateStore store;
    private final Author author;
    private final OwnershipTable ownership;
    private final ScheduledExecutorService thread;
    private final java.util.function.BiConsumer<String, java.util.Set<String>> recorded;
    /** The layout last sent to each target connected here, awaiting its ack. */
    private final Map<String, ServedLayout> sent = new HashMap<>();
    private final Map<String, ServedLayout> acked = new TreeMap<>();
    private boolean flushScheduled;
    private long batches;

    /**
     * @param recorded told (on the loop thread) after a batch was committed: the state commit, and the volumes with a
     *                 segment in a served layout that changed (before or after)
     */
    ServedRecorder(String self, StateStore store, Author author, OwnershipTable ownership,
                   ScheduledExecutorService thread, java.util.function.BiConsumer<String, java.util.Set<String>> recorded) {
        this.self = self;
        this.store = store;
        this.author = author;
        this.ownership = ownership;
        this.thread = thread;
        this.recorded = recorded;
    }

    /** A layout was sent to a target as command {@code seq}, computed from state commit {@code stateCommit}. */
    void sent(String target, long seq, String stateCommit, List<SegmentLayout> layout) {
        sent.put(target, new ServedLayout(target, self, seq, stateCommit, NodeCommands.served(layout)));
    }

    /** Forgets the layouts sent to targets no longer connected here. */
    void retain(java.util.Collection<String> connected) {
        sent.keySet().retainAll(new java.util.HashSet<>(connected));
    }

    /** From any thread: the target's agent applied command {@code seq}. */
    void acked(String target, long seq) {
        try {
            thread.execute(() -> {
                ServedLayout l = sent.get(target);
                if (l == null || l.seq() != seq) {
                    return; // a newer command is on its way; its ack will count
                }
                acked.put(target, l);
                if (!flushScheduled) {
                    flushScheduled = true;
                    thread.schedule(this::flush, WINDOW_MILLIS, TimeUnit.MILLISECONDS);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing: the target's next owner records it
        }
    }

    private void flush() {
        flushScheduled = false;
        List<ServedLayout> batch = new ArrayList<>();
        var own = ownership.current();
        for (ServedLayout l : acked.values()) {
            if (self.equals(own.ownerOrPreferred("target/" + l.target()))) {
                batch.add(l);
            }
        }
        acked.clear();
        if (batch.isEmpty()) {
            return;
        }
        long n = ++batches;
        java.util.Set<String> volumes = new java.util.TreeSet<>();
        try {
            UpdateResult r = store.update(StateStore.STATE_REF, author, snapshot -> {
                Changes.Builder b = Changes.builder();
                volumes.clear();
                int written = 0;
                for (ServedLayout l : batch) {
                    String path = StateFiles.servedPath(l.target());
                    Optional<ServedLayout> before = snapshot.file(path).flatMap(ServedRecorder::decode);
                    if (before.isEmpty() || !before.get().servesSame(l)) {
                        b.put(path, StateFiles.encodeServed(l));
                        written++;
                        before.ifPresent(x -> x.extents().forEach(e -> volumes.add(e.volume())));
                        l.extents().forEach(e -> volumes.add(e.volume()));
                    }
                }
                return written == 0 ? Decision.noChange()
                        : Decision.commit(b.build(), "served from " + self + " batch " + n + ": " + written
                                + " target layout(s) acked");
            });
            if (r instanceof UpdateResult.Updated u) {
                recorded.accept(u.commitId(), volumes);
            } else if (!(r instanceof UpdateResult.Unchanged)) {
                LOG.log(System.Logger.Level.WARNING, () -> self + ": served batch " + n + " not recorded: " + r);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> self + ": served batch " + n + " not recorded: "
                    + e.getMessage());
        }
    }

    /** A damaged served file is rewritten, not a reason to stop recording. */
    private static Optional<ServedLayout> decode(byte[] bytes) {
        try {
            return Optional.of(StateFiles.decodeServed(bytes));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
