package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.CommitResult;
import io.nvmesh.core.state.Decision;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.UpdateResult;
import java.util.List;
import java.util.function.Function;

/**
 * A store that lets something else happen inside a writer's next update of the state ref: before it reads the state
 * (after a reconciler read the desired tip), or after it decided and before its compare-and-swap. Everything else,
 * the update's own retry loop included, is the real store's, so the race is lost and retried as in production.
 * Single-threaded: the hook runs on the writer's thread.
 */
class InterleavingStore implements StateStore {

    final StateStore delegate;
    private HistoryStep.Race.When when;
    private Runnable hook;

    InterleavingStore(StateStore delegate) {
        this.delegate = delegate;
    }

    /** Runs {@code hook} once, at {@code when} of the next update of the state ref. */
    void arm(HistoryStep.Race.When when, Runnable hook) {
        this.when = when;
        this.hook = hook;
    }

    /** Drops a hook that no update took (a pass that wrote nothing). */
    void disarm() {
        hook = null;
    }

    @Override
    public UpdateResult update(String ref, Author author, Function<Snapshot, Decision> decide) {
        Runnable h = hook;
        if (h == null || !StateStore.STATE_REF.equals(ref)) {
            return delegate.update(ref, author, decide);
        }
        hook = null;
        if (when == HistoryStep.Race.When.BEFORE_STATE_READ) {
            h.run();
            return delegate.update(ref, author, decide);
        }
        boolean[] ran = {false};
        return delegate.update(ref, author, snapshot -> {
            Decision d = decide.apply(snapshot);
            if (!ran[0]) {
                ran[0] = true;
                h.run();
            }
            return d;
        });
    }

    @Override
    public Snapshot read(String ref) {
        return delegate.read(ref);
    }

    @Override
    public Snapshot read(String ref, String commitId) {
        return delegate.read(ref, commitId);
    }

    @Override
    public CommitResult commit(String ref, String expectedOldId, Changes changes, String message, Author author) {
        return delegate.commit(ref, expectedOldId, changes, message, author);
    }

    @Override
    public String resolve(String ref) {
        return delegate.resolve(ref);
    }

    @Override
    public boolean isAncestor(String ref, String ancestor, String descendant) {
        return delegate.isAncestor(ref, ancestor, descendant);
    }

    @Override
    public List<String> firstParents(String ref, String fromCommit, String stopAt) {
        return delegate.firstParents(ref, fromCommit, stopAt);
    }

    @Override
    public List<String> previousTips(String ref) {
        return delegate.previousTips(ref);
    }

    @Override
    public CommitResult setRef(String ref, String expectedOldId, String newId) {
        return delegate.setRef(ref, expectedOldId, newId);
    }

    @Override
    public void forceRef(String ref, String newId) {
        delegate.forceRef(ref, newId);
    }

    @Override
    public List<String> damagedObjects(String ref, String commitId) {
        return delegate.damagedObjects(ref, commitId);
    }

    @Override
    public Author defaultAuthor() {
        return delegate.defaultAuthor();
    }

    @Override
    public void close() {
        // the world closes the store it wraps
    }
}
