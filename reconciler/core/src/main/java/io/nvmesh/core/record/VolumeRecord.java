package io.nvmesh.core.record;

import io.nvmesh.core.allocation.VolumeAllocation;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One volume as recorded: its allocation (absent while pending), its status and why, whether its desired manifest
 * asked for deletion protection, a fingerprint of the policy it was placed with, and the space it no longer uses but
 * must not give back yet ({@code releasing}: old places of moved segments, or every segment while {@code deleting}).
 */
public record VolumeRecord(String name, VolumeStatus status, String reason, boolean deletionProtection,
        String policyFingerprint, Optional<VolumeAllocation> allocation, List<HeldExtent> releasing) {

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
        releasing = releasing == null ? List.of() : List.copyOf(releasing);
        if (allocation.isPresent() && !allocation.get().volume().equals(name)) {
            throw new IllegalArgumentException(String.format("volume record %s holds the allocation of %s", name,
                    allocation.get().volume()));
        }
        if (status == VolumeStatus.PENDING ? allocation.isPresent() : allocation.isEmpty()) {
            throw new IllegalArgumentException(String.format("volume record %s: status %s %s an allocation", name,
                    status.wireName(), status == VolumeStatus.PENDING ? "must not have" : "needs"));
        }
    }

    /** A record that holds no released space. */
    public VolumeRecord(String name, VolumeStatus status, String reason, boolean deletionProtection,
            String policyFingerprint, Optional<VolumeAllocation> allocation) {
        this(name, status, reason, deletionProtection, policyFingerprint, allocation, List.of());
    }

    /**
     * The held extents that are not also segments of the allocation (a deleting volume holds its own segments; a
     * moved segment's old place is held beside them).
     */
    public List<io.nvmesh.core.allocation.Extent> heldBeyondAllocation() {
        if (releasing.isEmpty()) {
            return List.of();
        }
        java.util.Set<io.nvmesh.core.allocation.Extent> own = allocation.map(a -> java.util.Set.copyOf(a.extents()))
                .orElse(java.util.Set.of());
        return releasing.stream().map(HeldExtent::extent).filter(e -> !own.contains(e)).toList();
    }

    public VolumeRecord withReleasing(List<HeldExtent> held) {
        return new VolumeRecord(name, status, reason, deletionProtection, policyFingerprint, allocation, held);
    }
}
