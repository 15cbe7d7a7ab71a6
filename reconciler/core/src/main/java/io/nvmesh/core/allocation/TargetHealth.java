package io.nvmesh.core.allocation;

/** Whether a storage target answers. Drives of an unhealthy target receive no new extents. */
public enum TargetHealth {
    HEALTHY,
    UNHEALTHY
}
