package io.nvmesh.core.record;

import java.util.Objects;

/**
 * Which desired commit the recorded state was last reconciled from, and how the last pass ended.
 *
 * @param desiredCommit the last desired commit that was valid and reconciled ({@code ""}: never)
 * @param lastSeenCommit the desired commit the last pass looked at (differs from {@code desiredCommit} when invalid)
 * @param outcome {@code ok at <short>} or {@code invalid at <short>: file:line:column: message}
 */
public record Reconciled(String desiredCommit, String lastSeenCommit, String outcome) {

    public static final Reconciled NEVER = new Reconciled("", "", "");

    public Reconciled {
        Objects.requireNonNull(desiredCommit, "desiredCommit");
        Objects.requireNonNull(lastSeenCommit, "lastSeenCommit");
        Objects.requireNonNull(outcome, "outcome");
    }

    public boolean invalid() {
        return outcome.startsWith("invalid");
    }
}
