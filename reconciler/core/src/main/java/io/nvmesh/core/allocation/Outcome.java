package io.nvmesh.core.allocation;

/** Whether an action could be planned. An unplaceable action carries the reason and changes nothing. */
public enum Outcome {
    PLACED,
    UNPLACEABLE
}
