package io.nvmesh.core.record;

import java.util.Locale;

/** What a recorded volume is doing, as reconcilers see it. */
public enum VolumeStatus {
    /** Desired but not placed yet (e.g. no room); {@code reason} says why. */
    PENDING,
    /** Placed, every segment on a healthy drive. */
    ONLINE,
    /** Placed, but a segment sits on a failed or missing drive. */
    DEGRADED,
    /** Removed from desired while {@code deletionProtection: true}: kept, and not deleted until unprotected. */
    BLOCKED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static VolumeStatus fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
