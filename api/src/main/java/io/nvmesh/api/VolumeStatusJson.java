package io.nvmesh.api;

/**
 * The payload of a {@code status} event on {@code volume/<name>}, and of its reset snapshot: the volume's recorded
 * status as its owner last observed it.
 *
 * @param status e.g. {@code online}, {@code pending}; {@code deleted} once the volume is no longer recorded
 * @param reason why, when the status needs one; empty otherwise
 */
public record VolumeStatusJson(String volume, String status, String reason, String stateCommit) {
}
