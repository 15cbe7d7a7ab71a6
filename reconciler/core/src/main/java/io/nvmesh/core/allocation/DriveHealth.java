package io.nvmesh.core.allocation;

/** What the node agent reports about a drive. Only {@link #OK} drives receive new extents. */
public enum DriveHealth {
    OK,
    /** Healthy but closed to new extents by the agent or an operator. */
    CORDONED,
    /** Dead: its segments are rebuilt elsewhere from live copies of their groups; a group with none is lost. */
    FAILED,
    /** Not seen: its segments are kept (the drive may reappear, even on another target) but not served. */
    MISSING;

    /** Whether the drive's bytes count as usable space (its data is readable). */
    public boolean online() {
        return this == OK || this == CORDONED;
    }
}
