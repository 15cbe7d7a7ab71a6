package io.nvmesh.core.state;

import java.util.Objects;

/**
 * How a {@link StateStore#update} loop ended. {@code retries} counts the attempts after the first, i.e. how often the
 * writer lost a race (or found the ref locked) and had to decide again.
 */
public sealed interface UpdateResult
        permits UpdateResult.Updated, UpdateResult.Unchanged, UpdateResult.Aborted, UpdateResult.GaveUp {

    int retries();

    /** The writer's changes are on the ref as {@code commitId}, built on {@code previousId}. */
    record Updated(String commitId, String previousId, int retries) implements UpdateResult {
        public Updated {
            Objects.requireNonNull(commitId, "commitId");
            Objects.requireNonNull(previousId, "previousId");
        }
    }

    /** The writer decided (or its changes turned out) to change nothing at {@code commitId}. */
    record Unchanged(String commitId, int retries) implements UpdateResult {
        public Unchanged {
            Objects.requireNonNull(commitId, "commitId");
        }
    }

    /** The writer aborted against the snapshot at {@code commitId}. */
    record Aborted(String reason, String commitId, int retries) implements UpdateResult {
        public Aborted {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(commitId, "commitId");
        }
    }

    /** Every attempt lost a race or found the ref locked; {@code last} says how the last attempt ended. */
    record GaveUp(CommitResult last, int retries) implements UpdateResult {
        public GaveUp {
            Objects.requireNonNull(last, "last");
        }
    }
}
