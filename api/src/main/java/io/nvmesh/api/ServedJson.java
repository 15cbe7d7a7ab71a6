package io.nvmesh.api;

/**
 * The payload of a {@code served} event on {@code volume/<name>}: a target owner's commit changed what some target
 * serves of the volume, so its owner should work out the status now.
 */
public record ServedJson(String volume, String stateCommit) {
}
