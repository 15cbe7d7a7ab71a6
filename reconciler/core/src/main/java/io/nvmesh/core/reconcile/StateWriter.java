package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.CommitIds;
import io.nvmesh.core.reconcile.StateHealth.Unavailable;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.CommitResult;
import io.nvmesh.core.state.Decision;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.StateStoreException;
import io.nvmesh.core.state.UpdateResult;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one way recorded state is written: reconcile passes, inventory batches, {@code inventory import} and served
 * layouts all go through {@link #write} or {@link #writeFiles}, so the safety rules hold in one place.
 *
 * <ul>
 * <li><b>The state never restarts by accident.</b> A missing state ref is "no state yet" only in a repository where no
 * state ever existed: once one did, the anchor ref {@value #ANCHOR_REF} (the state's root commit) or the ref's reflog
 * says so, and every writer stops with an error that names the last good commit. Starting afresh is an explicit act
 * ({@link StateRefs#init}). A ref that does not parse, or names a missing or non-commit object, stops writers the
 * same way, and so does a tip whose history does not descend from the anchored root.
 * <li><b>Damaged state is never built on</b>: every file must decode, every object must be readable.
 * <li><b>Every commit is checked</b> against its parent by {@link Transition} before it is published, and carries the
 * next generation ({@code state.json}).
 * </ul>
 *
 * While the state is unavailable, {@link #unavailable()} says why (for {@code /readyz}, a metric and an event);
 * {@link StateHealth} keeps that answer.
 * Thread-safe.
 */
public final class StateWriter {

    /** Points at the root commit of the state's history, from its first commit on. */
    public static final String ANCHOR_REF = "refs/nvmesh/state-root";
    /** How long a missing state ref with a history is watched for before it is declared lost (see appears()). */
    static final java.time.Duration CREATION_GRACE = java.time.Duration.ofMillis(500);

    private static final System.Logger LOG = System.getLogger(StateWriter.class.getName());

    /** What a writer wants recorded, given the state at the tip. */
    public sealed interface Proposal permits Proposal.Write, Proposal.Keep, Proposal.Refuse {

        /**
         * @param desired the facts of the desired commit {@code after} records, or {@code null} for a writer that
         *        records none (it must leave every volume record as it was)
         */
        static Proposal write(RecordedState after, String message, DesiredFacts desired) {
            return new Write(after, message, desired);
        }

        static Proposal keep() {
            return Keep.INSTANCE;
        }

        static Proposal refuse(String reason) {
            return new Refuse(reason);
        }

        record Write(RecordedState after, String message, DesiredFacts desired) implements Proposal {
            public Write {
                Objects.requireNonNull(after, "after");
                Objects.requireNonNull(message, "message");
            }
        }

        enum Keep implements Proposal {
            INSTANCE
        }

        record Refuse(String reason) implements Proposal {
            public Refuse {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }

    /**
     * How a write ended. {@code state} is the recorded state at {@code commitId} (for {@link #writeFiles}: null), so a
     * caller need not read back what it has just written.
     */
    public record Result(Kind kind, RecordedState state, String commitId, String previousId, int retries,
            String reason) {

        public enum Kind {
            RECORDED, UNCHANGED, REFUSED, GAVE_UP
        }

        public boolean recorded() {
            return kind == Kind.RECORDED;
        }
    }

    private final StateStore store;
    private final String desiredRef;
    private final Author author;
    /** The last state commit this writer read whole and found sound. */
    private final AtomicReference<String> lastGood = new AtomicReference<>("");
    private volatile boolean anchored;
    /** Objects of the tip found damaged by {@link #verify}; writes stop until a later verify finds them whole. */
    private volatile String damaged = "";
    private final StateHealth health = new StateHealth();

    public StateWriter(StateStore store, String desiredBranch, Author author) {
        this.store = Objects.requireNonNull(store, "store");
        this.desiredRef = desiredBranch.startsWith("refs/") ? desiredBranch : "refs/heads/" + desiredBranch;
        this.author = Objects.requireNonNull(author, "author");
    }

    /** Why writers are stopped ({@code ""}: they are not): the state is lost, unreadable or damaged. */
    public String unavailable() {
        return health.unavailable();
    }

    /** Hears every change of {@link #unavailable()} ({@code ""} when the state became available again). */
    public void addHealthListener(Consumer<String> listener) {
        health.addListener(listener);
    }

    /**
     * Reads every object of the state's tip past the caches, as a restarted instance would. A running writer reads
     * from its cache and would go on building commits over a file whose object is damaged on disk; this is how it
     * notices. While objects are damaged, {@link #unavailable()} says which (path and object id) and writes stop.
     *
     * @return the damaged objects, empty when the tip reads whole
     */
    public List<String> verify() {
        return health.guarded(() -> {
            String tip = store.resolve(StateStore.STATE_REF);
            List<String> bad = store.damagedObjects(StateStore.STATE_REF, tip);
            damaged = bad.isEmpty() ? "" : "recorded state at " + CommitIds.shortId(tip) + " has damaged "
                    + "objects: " + String.join("; ", bad);
            if (!damaged.isEmpty()) {
                throw new Unavailable(new GitOpsRefusal(damaged + "; every writer stops until they are repaired",
                        List.of("restore the objects from another clone or a backup, or an earlier state with "
                                + "nvmesh state restore COMMIT (nvmesh fsck lists them)")));
            }
            return bad;
        });
    }

    /** The state at the tip, as a writer would build on it; throws {@link GitOpsRefusal} where a writer would stop. */
    public RecordedState read() {
        return health.guarded(() -> decode(guard(store.read(StateStore.STATE_REF))));
    }

    /**
     * Reads the tip, asks {@code decide}, checks the proposal against the tip with {@link Transition}, and publishes
     * it by compare-and-swap; on a lost race reads and decides again. {@code decide} may run several times and must
     * have no side effects. Throws {@link GitOpsRefusal} when the state is unavailable (see the class comment).
     */
    public Result write(Function<RecordedState, Proposal> decide) {
        AtomicReference<RecordedState> recorded = new AtomicReference<>();
        AtomicReference<String> refused = new AtomicReference<>();
        UpdateResult r = health.guarded(() -> store.update(StateStore.STATE_REF, author, snapshot -> {
            boolean fresh = !guard(snapshot).exists();
            RecordedState before = decode(snapshot);
            Proposal p = decide.apply(before);
            if (p instanceof Proposal.Refuse no) {
                refused.set(no.reason());
                return Decision.abort(no.reason());
            }
            if (!(p instanceof Proposal.Write w)) {
                return Decision.noChange();
            }
            long next = before.generation() + 1;
            RecordedState after = w.after().at(before.commitId(), next);
            // Volumes whose record is the one decoded from this snapshot are not encoded again: a pass costs its changes.
            Changes changes = StateFiles.changes(snapshot, before, after);
            if (changes.paths().equals(java.util.Set.of(StateFiles.STATE))) {
                return Decision.noChange(); // only the generation would change
            }
            List<String> broken = Transition.violations(before, after, w.desired(), this::desiredAncestor);
            if (!broken.isEmpty()) {
                String why = "refused to record " + (fresh ? "a first state" : "a state over "
                        + CommitIds.shortId(before.commitId())) + ": " + String.join("; ", broken);
                refused.set(why);
                return Decision.abort(why);
            }
            recorded.set(after);
            return Decision.commit(changes, w.message());
        }));
        return result(r, recorded.get(), refused.get());
    }

    /**
     * Writes files under {@code directory} only (e.g. {@code served}) without decoding the whole state: a served-layout
     * batch costs the files it reads. The generation still moves on, and the same guards apply; a missing state is
     * never created here.
     */
    public Result writeFiles(String directory, Function<Snapshot, Decision> decide) {
        String prefix = directory + "/";
        UpdateResult r = health.guarded(() -> store.update(StateStore.STATE_REF, author, snapshot -> {
            if (!guard(snapshot).exists()) {
                return Decision.abort("no recorded state yet");
            }
            Decision d = decide.apply(snapshot);
            if (!(d instanceof Decision.Commit c) || c.changes().isEmpty()) {
                return d;
            }
            for (String p : c.changes().paths()) {
                if (!p.startsWith(prefix)) {
                    throw new IllegalArgumentException("a write of " + directory + " names " + p);
                }
            }
            long generation = snapshot.file(StateFiles.STATE).map(StateFiles::decodeGeneration).orElse(0L);
            return Decision.commit(c.changes().plus(StateFiles.STATE, StateFiles.generation(generation + 1)),
                    c.message());
        }));
        return result(r, null, null);
    }

    private Result result(UpdateResult r, RecordedState after, String refused) {
        if (r instanceof UpdateResult.Updated u) {
            lastGood.set(u.commitId());
            ensureAnchor(u.commitId(), u.previousId().isEmpty());
            RecordedState state = after == null ? null : after.at(u.commitId(), after.generation());
            return new Result(Result.Kind.RECORDED, state, u.commitId(), u.previousId(), u.retries(), "");
        }
        if (r instanceof UpdateResult.Unchanged u) {
            return new Result(Result.Kind.UNCHANGED, null, u.commitId(), u.commitId(), u.retries(), "");
        }
        if (r instanceof UpdateResult.Aborted a) {
            return new Result(Result.Kind.REFUSED, null, a.commitId(), a.commitId(), a.retries(),
                    refused == null ? a.reason() : refused);
        }
        UpdateResult.GaveUp g = (UpdateResult.GaveUp) r;
        return new Result(Result.Kind.GAVE_UP, null, "", "", g.retries(), "gave up after " + g.retries()
                + " retries: " + g.last());
    }

    /**
     * Checks what the snapshot of the state ref says about the state's history, and returns it. A missing ref in a
     * repository that once had a state, or a tip that left the anchored history, stops the writer.
     */
    private Snapshot guard(Snapshot snapshot) {
        String broken = damaged;
        if (!broken.isEmpty()) {
            throw new Unavailable(new GitOpsRefusal(broken + "; every writer stops until they are repaired"));
        }
        if (!snapshot.exists()) {
            String anchor = store.resolve(ANCHOR_REF);
            List<String> seen = store.previousTips(StateStore.STATE_REF);
            if ((!anchor.isEmpty() || !seen.isEmpty()) && appears()) {
                // Not lost: another writer is making (or just made) the first state after this snapshot was read.
                // The snapshot is only stale; the compare-and-swap on "no ref" fails and is retried on the tip that
                // is there now.
                return snapshot;
            }
            if (!anchor.isEmpty() || !seen.isEmpty()) {
                throw lost("refs/nvmesh/state is missing, but a state existed (" + (anchor.isEmpty() ? ""
                        : "its root is " + CommitIds.shortId(anchor) + "; ") + "last good commit: "
                        + lastGoodOf(seen) + ")");
            }
            return snapshot;
        }
        String tip = snapshot.commitId();
        String last = lastGood.get();
        if (!anchored || !last.isEmpty() && !tip.equals(last) && !store.isAncestor(StateStore.STATE_REF, last, tip)) {
            String anchor = store.resolve(ANCHOR_REF);
            if (!anchor.isEmpty()) {
                String root = store.firstParents(StateStore.STATE_REF, tip, "").get(0);
                if (!root.equals(anchor)) {
                    throw lost("refs/nvmesh/state points at " + CommitIds.shortId(tip) + ", whose history "
                            + "starts at " + CommitIds.shortId(root) + ", not at the state's root "
                            + CommitIds.shortId(anchor) + " (the state was replaced; last good commit: "
                            + lastGoodOf(store.previousTips(StateStore.STATE_REF)) + ")");
                }
                anchored = true;
            }
        }
        return snapshot;
    }

    /**
     * Whether the state ref exists now or within a moment. JGit appends a ref's reflog entry before it renames the
     * ref's lock file into place, so a writer creating the first state is, for an instant, "a reflog but no ref": the
     * very look of a lost state. A lost ref stays missing; one being created appears within milliseconds.
     */
    private boolean appears() {
        long deadline = System.nanoTime() + CREATION_GRACE.toNanos();
        while (true) {
            if (!store.resolve(StateStore.STATE_REF).isEmpty()) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private String lastGoodOf(List<String> seen) {
        String last = lastGood.get();
        if (!last.isEmpty()) {
            return last;
        }
        return seen.isEmpty() ? "none found here" : seen.get(0);
    }

    private Unavailable lost(String why) {
        return new Unavailable(new GitOpsRefusal("recorded state is unavailable: " + why + "; every writer stops until a person "
                + "restores it", List.of("nvmesh fsck shows the last good commit and how to restore it "
                + "(nvmesh state restore COMMIT)")));
    }

    private RecordedState decode(Snapshot snapshot) {
        RecordedState state;
        try {
            state = Reconciliation.decode(snapshot);
        } catch (GitOpsRefusal damaged) {
            throw new Unavailable(damaged);
        }
        if (snapshot.exists()) {
            lastGood.accumulateAndGet(snapshot.commitId(), (was, now) -> was.isEmpty()
                    || store.isAncestor(StateStore.STATE_REF, was, now) ? now : was);
        }
        return state;
    }

    private boolean desiredAncestor(String ancestor, String descendant) {
        return store.isAncestor(desiredRef, ancestor, descendant);
    }

    /** Records the state's root on {@value #ANCHOR_REF} once, so a lost state ref is noticed from then on. */
    private void ensureAnchor(String tip, boolean tipIsRoot) {
        if (anchored) {
            return;
        }
        try {
            String anchor = store.resolve(ANCHOR_REF);
            if (anchor.isEmpty()) {
                String root = tipIsRoot ? tip : store.firstParents(StateStore.STATE_REF, tip, "").get(0);
                CommitResult r = store.setRef(ANCHOR_REF, "", root);
                LOG.log(System.Logger.Level.DEBUG, () -> "anchored the recorded state at its root " + root + ": " + r);
            }
            anchored = true;
        } catch (StateStoreException e) {
            LOG.log(System.Logger.Level.WARNING, () -> "could not anchor the recorded state: " + e.getMessage());
        }
    }
}
