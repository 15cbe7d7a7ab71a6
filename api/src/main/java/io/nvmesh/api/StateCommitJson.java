package io.nvmesh.api;

/** The payload of a {@code state} event on {@code cluster}: the instance that raised it just made this state commit. */
public record StateCommitJson(String stateCommit) {
}
