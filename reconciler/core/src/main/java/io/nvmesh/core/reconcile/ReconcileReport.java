package io.nvmesh.core.reconcile;

import io.nvmesh.core.allocation.Action;
import io.nvmesh.core.allocation.Outcome;
import java.util.List;
import java.util.Objects;

/**
 * What one reconcile pass did.
 *
 * @param outcome how it ended
 * @param desiredCommit the desired commit it read ({@code ""}: no desired branch yet)
 * @param stateCommit the state commit after the pass
 * @param actions the actions on this reconciler's volumes, placed and unplaceable, in plan order
 * @param blocked volumes kept because their deletion is protected
 * @param retries how often the compare-and-swap lost a race and the pass re-planned
 * @param message a one-line summary (for {@code INVALID}: the recorded outcome with its first problem)
 * @param recorded the state this pass recorded, at {@code stateCommit}, or {@code null} when it recorded nothing
 */
public record ReconcileReport(Kind outcome, String desiredCommit, String stateCommit, List<Action> actions,
        List<String> blocked, int retries, String message, io.nvmesh.core.record.RecordedState recorded) {

    public enum Kind {
        /** Recorded state changed. */
        RECORDED,
        /** Nothing to change: recorded state already matches desired. */
        UNCHANGED,
        /** The desired commit is invalid; recorded as such, nothing of it applied. */
        INVALID,
        /** There is no desired branch yet. */
        NO_DESIRED,
        /** Every attempt lost the race; try again later. */
        GAVE_UP
    }

    public ReconcileReport {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(desiredCommit, "desiredCommit");
        Objects.requireNonNull(stateCommit, "stateCommit");
        actions = List.copyOf(actions);
        blocked = List.copyOf(blocked);
        Objects.requireNonNull(message, "message");
    }

    public List<Action> placed() {
        return actions.stream().filter(a -> a.outcome() == Outcome.PLACED).toList();
    }

    public List<Action> unplaceable() {
        return actions.stream().filter(a -> a.outcome() == Outcome.UNPLACEABLE).toList();
    }
}
