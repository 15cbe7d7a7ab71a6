package io.nvmesh.service.events;

import java.util.Objects;

/**
 * The consumer missed events it can no longer be given (it resumed from before the buffer, or it read too slowly):
 * it should replace what it knows of {@code topic} with {@code snapshot} and carry on with the events that follow.
 *
 * @param topic    the topic, or the filter (e.g. {@code volume/*}) the reset covers
 * @param head     the last sequence of the topic this instance knows (0 when none); a consumer may resume after it
 * @param reason   {@code behind} (resumed from before the buffer) or {@code overflow} (read too slowly)
 * @param snapshot what the snapshot hook returned for the topic; null when none is wired
 */
public record Reset(String topic, long head, String reason, Object snapshot) implements StreamItem {

    public Reset {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(reason, "reason");
    }
}
