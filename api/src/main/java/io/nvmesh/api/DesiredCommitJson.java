package io.nvmesh.api;

/**
 * The payload of a {@code desired} event on {@code cluster}: a pass refused a desired commit, or reconciled one again
 * after a refusal.
 *
 * @param outcome {@code invalid} or {@code accepted}
 * @param reason  for {@code invalid} the recorded outcome (why); empty for {@code accepted}
 */
public record DesiredCommitJson(String desiredCommit, String outcome, String reason) {
}
