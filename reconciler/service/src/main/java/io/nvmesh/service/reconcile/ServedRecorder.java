package io.nvmesh.service.reconcile;

import io.nvmesh.core.record.ServedLayout;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.Decision;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.UpdateResult;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.SegmentLayout;
import io.nvmesh.service.cluster.OwnershipTable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Records on the state ref what the targets owned here serve ({@code served/<target>.json}), from their agents' acks:
 * the layout of the command last sent to a target (whoever sent it: a pass, a refresh) becomes its served layout when
 * the agent acks that very command as applied (the hub hands the command over with the ack); a refusal records nothing
 * (the target keeps serving its previous layout). Acks are collected for a short window and recorded in one
 * compare-and-swap commit that writes only served files whose extents changed, so an ack of the same
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
    private final BiConsumer<String, Set<String>> recorded;
    /** Command seq → the state commit it was computed from, for the record; bounded, oldest dropped. */
    private final Map<Long, String> stateOf = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            return size() > 4_096;
        }
    };
    private final Map<String, ServedLayout> acked = new TreeMap<>();
    private boolean flushScheduled;
    private long batches;

    /**
     * @param recorded told (on the loop thread) after a batch was committed: the state commit, and the volumes with a
     *                 segment in a served layout that changed (before or after)
     */
    ServedRecorder(String self, StateStore store, Author author, OwnershipTable ownership,
                   ScheduledExecutorService thread, BiConsumer<String, Set<String>> recorded) {
        this.self = self;
        this.store = store;
        this.author = author;
        this.ownership = ownership;
        this.thread = thread;
        this.recorded = recorded;
    }

    /** On the loop thread: command {@code seq} was computed from state commit {@code stateCommit} (optional). */
    void computedFrom(long seq, String stateCommit) {
        stateOf.put(seq, stateCommit);
    }

    /** From any thread: the target's agent applied {@code command}, the last one sent to it on its connection. */
    void acked(String target, AgentMessage.Command command) {
        List<SegmentLayout> layout = command.segments();
        try {
            thread.execute(() -> {
                String from = stateOf.getOrDefault(command.seq(), "");
                acked.put(target, new ServedLayout(target, self, command.seq(), from, NodeCommands.served(layout)));
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
        Set<String> volumes = new TreeSet<>();
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
