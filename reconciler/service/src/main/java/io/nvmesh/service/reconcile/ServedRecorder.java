package io.nvmesh.service.reconcile;

import io.nvmesh.core.reconcile.StateWriter;
import io.nvmesh.core.record.ServedLayout;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.Decision;
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
 * compare-and-swap commit that writes only served files whose extents changed or whose command came from a newer state
 * generation (that is what proves held space released, even when the target never served it), so an ack of the same
 * layout from the same state again commits nothing. One writer per file: the target's owner; a layout acked here for
 * a target that has since moved to another owner is dropped.
 *
 * <p>Confined to the reconcile loop's thread, except {@link #acked}, which hands off to it.
 */
final class ServedRecorder {

    private static final System.Logger LOG = System.getLogger(ServedRecorder.class.getName());

    /** How long acks are collected before they are recorded together. */
    static final long WINDOW_MILLIS = 100;

    private final String self;
    private final StateWriter writer;
    private final OwnershipTable ownership;
    private final ScheduledExecutorService thread;
    private final BiConsumer<String, Set<String>> recorded;
    /** The state commit a command was computed from, and that commit's generation. */
    private record Source(String commit, long generation) {
    }

    /** Command seq → the state it was computed from; bounded, oldest dropped. */
    private final Map<Long, Source> stateOf = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Source> eldest) {
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
    ServedRecorder(String self, StateWriter writer, OwnershipTable ownership, ScheduledExecutorService thread,
                   BiConsumer<String, Set<String>> recorded) {
        this.self = self;
        this.writer = writer;
        this.ownership = ownership;
        this.thread = thread;
        this.recorded = recorded;
    }

    /**
     * On the loop thread: command {@code seq} was computed from state commit {@code stateCommit} of generation {@code
     * generation}. A command whose source is not known here proves no release of held space (generation 0).
     */
    void computedFrom(long seq, String stateCommit, long generation) {
        stateOf.put(seq, new Source(stateCommit, generation));
    }

    /** From any thread: the target's agent applied {@code command}, the last one sent to it on its connection. */
    void acked(String target, AgentMessage.Command command) {
        List<SegmentLayout> layout = command.segments();
        try {
            thread.execute(() -> {
                Source from = stateOf.getOrDefault(command.seq(), new Source("", 0));
                acked.put(target, new ServedLayout(target, self, command.seq(), from.commit(),
                        NodeCommands.served(layout), from.generation()));
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
            StateWriter.Result r = writer.writeFiles(StateFiles.SERVED, snapshot -> {
                Changes.Builder b = Changes.builder();
                volumes.clear();
                int written = 0;
                for (ServedLayout l : batch) {
                    String path = StateFiles.servedPath(l.target());
                    Optional<ServedLayout> before = snapshot.file(path).flatMap(ServedRecorder::decode);
                    if (before.isEmpty() || !before.get().servesSame(l)
                            || before.get().stateGeneration() < l.stateGeneration()) {
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
            if (r.recorded()) {
                recorded.accept(r.commitId(), volumes);
            } else if (r.kind() != StateWriter.Result.Kind.UNCHANGED) {
                LOG.log(System.Logger.Level.WARNING, () -> self + ": served batch " + n + " not recorded: "
                        + r.reason());
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
