package io.nvmesh.core.state;

import java.time.Duration;
import java.util.function.Function;

/** The read–decide–compare-and-swap loop behind {@link StateStore#update}. */
final class RetryLoop {

    /** Waits; tests substitute one that records instead of waiting. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    static final Sleeper THREAD_SLEEP = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

    private final StateStore store;
    private final RetryPolicy policy;
    private final Backoff backoff;
    private final Sleeper sleeper;

    RetryLoop(StateStore store, RetryPolicy policy, Sleeper sleeper) {
        this.store = store;
        this.policy = policy;
        this.backoff = new Backoff(policy);
        this.sleeper = sleeper;
    }

    UpdateResult run(String ref, Author author, Function<Snapshot, Decision> decide) {
        CommitResult last = null;
        for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
            int retries = attempt - 1;
            if (retries > 0) {
                pause(backoff.before(retries));
            }
            Snapshot snapshot = store.read(ref);
            Decision decision = decide.apply(snapshot);
            if (decision instanceof Decision.Abort abort) {
                return new UpdateResult.Aborted(abort.reason(), snapshot.commitId(), retries);
            }
            if (!(decision instanceof Decision.Commit commit) || commit.changes().isEmpty()) {
                return new UpdateResult.Unchanged(snapshot.commitId(), retries);
            }
            CommitResult result = store.commit(ref, snapshot.commitId(), commit.changes(), commit.message(), author);
            if (result instanceof CommitResult.Committed done) {
                return done.noOp()
                        ? new UpdateResult.Unchanged(done.commitId(), retries)
                        : new UpdateResult.Updated(done.commitId(), done.previousId(), retries);
            }
            last = result;
        }
        return new UpdateResult.GaveUp(last, policy.maxAttempts() - 1);
    }

    private void pause(Duration d) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateStoreException("interrupted while waiting to retry", e);
        }
    }
}
