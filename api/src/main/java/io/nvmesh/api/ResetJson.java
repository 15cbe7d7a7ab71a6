package io.nvmesh.api;

/**
 * An {@code event: reset} frame: the consumer missed events it can no longer be given; it should replace what it knows
 * of {@code topic} with {@code snapshot} and carry on with the events after {@code head}.
 *
 * @param topic    the topic, or the filter ({@code volume/*}) the reset covers
 * @param head     the last sequence of the topic the answering instance knows (0 when none)
 * @param reason   {@code behind} (resumed from before the buffer) or {@code overflow} (read too slowly)
 * @param snapshot what the topic is now, as its events' payloads; null when the instance has none for it
 */
public record ResetJson(String topic, long head, String reason, Object snapshot) {
}
