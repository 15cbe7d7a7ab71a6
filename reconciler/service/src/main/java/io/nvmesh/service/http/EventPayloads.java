package io.nvmesh.service.http;

import io.nvmesh.api.CapacityJson;
import io.nvmesh.api.ClusterJson;
import io.nvmesh.service.cluster.Membership;
import io.nvmesh.service.cluster.OwnershipTable;
import io.nvmesh.service.counters.Counters;

/** Payloads of the {@code capacity} and {@code cluster} events: the same JSON as the matching {@code GET}. */
public final class EventPayloads {

    private EventPayloads() {
    }

    /** As {@code GET /v1/capacity} (without per-target detail). */
    public static CapacityJson capacity(Counters counters) {
        return CounterJson.capacity(counters.self(), counters.capacity(false), false);
    }

    /** As {@code GET /v1/cluster}. */
    public static ClusterJson cluster(Membership membership, OwnershipTable ownership) {
        return ClusterEndpoints.clusterJson(membership, membership.currentView(), ownership.current(), "known");
    }
}
