package io.nvmesh.core.state;

import java.util.Objects;

/**
 * What happened to one compare-and-swap commit. Losing the race is a normal outcome, not an exception: the caller
 * re-reads {@link LostRace#actualId()} and decides again (or lets {@link StateStore#update} do it).
 */
public sealed interface CommitResult permits CommitResult.Committed, CommitResult.LostRace, CommitResult.Busy {

    /** The ref now points at {@code commitId}; when the changes left the tree as it was, no commit was made. */
    record Committed(String commitId, String previousId) implements CommitResult {
        public Committed {
            Objects.requireNonNull(commitId, "commitId");
            Objects.requireNonNull(previousId, "previousId");
        }

        /** True when the changes did not alter the tree, so the ref was left where it was. */
        public boolean noOp() {
            return commitId.equals(previousId);
        }
    }

    /** Another writer moved the ref first; {@code actualId} is its tip now ({@code ""} if it was deleted). */
    record LostRace(String expectedId, String actualId) implements CommitResult {
        public LostRace {
            Objects.requireNonNull(expectedId, "expectedId");
            Objects.requireNonNull(actualId, "actualId");
        }
    }

    /**
     * The ref still pointed at the expected commit, but another writer held its lock (or held one that is not yet old
     * enough to be declared abandoned). Retrying later is the answer.
     */
    record Busy(String lockFile, String detail) implements CommitResult {
        public Busy {
            Objects.requireNonNull(lockFile, "lockFile");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
