package io.nvmesh.service.reconcile;

import java.time.Duration;
import java.util.Objects;

/**
 * One scheduled pack of the repository by this instance ({@code StateStore.pack}).
 *
 * @param outcome           {@code packed}, {@code busy} (another run held the repository), {@code refused} (a lost
 *                          or unreadable ref, see {@code reason}) or {@code failed} (an error, see {@code reason})
 * @param reason            why nothing was packed; empty when packed
 * @param took              how long it ran
 * @param looseObjectsAfter loose objects left (objects written while it ran, or all of them when it did not pack)
 * @param packsAfter        pack files after it
 */
public record PackRun(String outcome, String reason, Duration took, long looseObjectsAfter, long packsAfter) {

    public PackRun {
        Objects.requireNonNull(outcome, "outcome");
        reason = Objects.requireNonNullElse(reason, "");
        Objects.requireNonNull(took, "took");
    }
}
