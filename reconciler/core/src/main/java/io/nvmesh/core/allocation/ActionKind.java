package io.nvmesh.core.allocation;

/** What a plan action does. Plans list deletes, then moves, then extends, then creates. */
public enum ActionKind {
    DELETE,
    MOVE,
    EXTEND,
    CREATE
}
