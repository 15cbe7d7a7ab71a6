package io.nvmesh.core.record;

import java.util.Locale;

/** What a recorded volume is doing, as reconcilers see it. */
public enum VolumeStatus {
    /** Desired but not placed yet (e.g. no room); {@code reason} says why. */
    PENDING,
    /**
     * Placed, but some segment on an agent-managed target is not in that target's served layout yet, and the volume
     * has never been fully served (new, or only grown by new segments): not usable yet.
     */
    INITIALIZING,
    /** Placed, every segment on a healthy drive and served by its target. */
    ONLINE,
    /**
     * Was served in full and grew: the segments it had are served as before, and some of the new ones are not in their
     * targets' served layouts yet (shown as "online (extending)"). Deleting or extending it again waits, as for
     * {@link #INITIALIZING}; clients attach it as they would an initializing volume.
     */
    EXTENDING,
    /** Was served, but a moved or rebuilt segment is not in its new target's served layout yet. */
    REBUILDING,
    /**
     * Placed, but a segment sits on a failed or missing drive, or on an unhealthy target; or a group has no live copy
     * left and waits for a missing drive to reappear, nothing being rebuilt meanwhile. {@code reason} names it.
     */
    DEGRADED,
    /**
     * Placed, but its data is lost: some group has no surviving copy (erasure coded: fewer live segments than data
     * blocks) and its other segments are on failed drives. Nothing is rebuilt from nothing; the allocation and its
     * extents stay as they were until a person accepts the loss in Git ({@code reason} names the groups, the drives and
     * the annotation that does it).
     */
    FAILED,
    /** Removed from desired while {@code deletionProtection: true}: kept, and not deleted until unprotected. */
    BLOCKED,
    /**
     * Removed from desired: the record and its extents stay (their space is not free) while some agent-managed target
     * still serves one of its segments; the pass after the last target released it frees the space and drops the
     * record.
     */
    DELETING;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether targets are still setting the volume up, so that deleting or extending it waits. */
    public boolean settingUp() {
        return this == INITIALIZING || this == EXTENDING || this == REBUILDING;
    }

    static VolumeStatus fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
