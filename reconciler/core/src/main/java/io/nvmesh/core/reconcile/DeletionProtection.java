package io.nvmesh.core.reconcile;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.schema.Volume;

/**
 * When {@code deletionProtection: true} holds back removing a volume from the desired branch: whenever the volume has
 * or may have data. A volume that was never placed (not recorded, or recorded pending with no extents and none held)
 * has none to lose, so a mistaken one (too big, no room) is removed in one commit.
 *
 * <p>This check reads the recorded state at one moment; should a reconciler place the volume in between, the
 * reconciler's own rule still keeps it: a placed record that is no longer desired and was recorded protected is
 * {@link VolumeStatus#BLOCKED}, never deleted ({@link Reconciliation}).
 */
final class DeletionProtection {

    private DeletionProtection() {
    }

    /** Whether removing {@code v} must first set {@code deletionProtection: false}. */
    static boolean guards(Volume v, RecordedState recorded) {
        return v.deletionProtection() && !neverPlaced(recorded.volumes().get(v.name()));
    }

    private static boolean neverPlaced(VolumeRecord r) {
        return r == null || r.status() == VolumeStatus.PENDING && r.allocation().isEmpty() && r.releasing().isEmpty();
    }
}
