package io.nvmesh.service.cluster;

/** Told about every membership change, one call at a time, in version order, on the membership's own thread. */
@FunctionalInterface
public interface MembershipListener {

    void membershipChanged(ClusterView previous, ClusterView current);
}
