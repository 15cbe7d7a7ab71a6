package io.nvmesh.cli.remote;

/** How {@code get} prints: an aligned table, the server's JSON, or the same as YAML. */
public enum Output {
    TABLE, JSON, YAML
}
