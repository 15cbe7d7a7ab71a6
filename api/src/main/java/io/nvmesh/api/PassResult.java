package io.nvmesh.api;

import java.util.List;
import java.util.Objects;

/**
 * What one reconcile pass of an instance did, as {@code GET /v1/reconcile/results} lists it.
 *
 * @param at            when the pass ended, ISO-8601 UTC
 * @param outcome       {@code recorded}, {@code unchanged}, {@code no-desired}, {@code invalid}, {@code gave-up} or
 *                      {@code failed}
 * @param ownedVolumes  how many desired volumes this instance owned during the pass
 * @param actions       actions on owned volumes (placed and unplaceable)
 * @param commandsSent  nodes sent a new command after the pass
 */
public record PassResult(String at, String outcome, String desiredCommit, String stateCommit, int ownedVolumes,
                         int actions, List<String> blocked, int retries, long millis, int commandsSent,
                         String message) {

    public PassResult {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(outcome, "outcome");
        desiredCommit = Objects.requireNonNullElse(desiredCommit, "");
        stateCommit = Objects.requireNonNullElse(stateCommit, "");
        blocked = List.copyOf(blocked);
        message = Objects.requireNonNullElse(message, "");
    }
}
