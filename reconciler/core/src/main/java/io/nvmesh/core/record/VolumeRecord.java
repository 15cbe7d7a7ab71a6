package io.nvmesh.core.record;

import io.nvmesh.core.allocation.VolumeAllocation;
import java.util.Objects;
import java.util.Optional;

/**
 * One volume as recorded: its allocation (absent while pending), its status and why, whether its desired manifest
 * asked for deletion protection, and a fingerprint of the policy it was placed with.
 */
public record VolumeRecord(String name, VolumeStatus status, String reason, boolean deletionProtection,
        String policyFingerprint, Optional<VolumeAllocation> allocation) {

    /**
     * How the reason of a pending volume that is waiting its turn (not failed) begins, e.g. a {@code capacity: max}
     * volume waiting for fixed-size volumes of other reconcilers: {@code apply --wait} keeps waiting on it.
     */
    public static final String WAITING = "waiting for ";

    public VolumeRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        reason = reason == null ? "" : reason;
        policyFingerprint = policyFingerprint == null ? "" : policyFingerprint;
        allocation = allocation == null ? Optional.empty() : allocation;
        if (allocation.isPresent() && !allocation.get().volume().equals(name)) {
            throw new IllegalArgumentException(String.format("volume record %s holds the allocation of %s", name,
                    allocation.get().volume()));
        }
        if (status == VolumeStatus.PENDING ? allocation.isPresent() : allocation.isEmpty()) {
            throw new IllegalArgumentException(String.format("volume record %s: status %s %s an allocation", name,
                    status.wireName(), status == VolumeStatus.PENDING ? "must not have" : "needs"));
        }
    }
}
