package io.nvmesh.core.state;

import java.util.Objects;

/**
 * What a writer wants to do with the snapshot it was shown, as a value (the way a reconciler returns
 * {@code UpdateControl} instead of acting): commit some changes, nothing, or give up with a reason.
 */
public sealed interface Decision permits Decision.Commit, Decision.NoChange, Decision.Abort {

    static Decision commit(Changes changes, String message) {
        return new Commit(changes, message);
    }

    static Decision noChange() {
        return NoChange.INSTANCE;
    }

    static Decision abort(String reason) {
        return new Abort(reason);
    }

    record Commit(Changes changes, String message) implements Decision {
        public Commit {
            Objects.requireNonNull(changes, "changes");
            Objects.requireNonNull(message, "message");
        }
    }

    /** The snapshot already says what the writer wanted; nothing to commit. */
    enum NoChange implements Decision {
        INSTANCE
    }

    /** The writer cannot proceed against this snapshot (e.g. no drive has room left); no commit, no retry. */
    record Abort(String reason) implements Decision {
        public Abort {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
