package io.nvmesh.api;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/cluster}: membership as the answering instance sees it, and how the keys are shared; also the payload
 * of {@code cluster} events.
 */
public record ClusterJson(String self, long epoch, long version, List<String> live, List<MemberJson> members,
                          OwnershipJson ownership) {

    /** @param agents node agents connected to the member by kind, as it last said; null from a peer too old to say */
    public record MemberJson(String id, String url, boolean self, boolean alive, long epoch, int incarnations,
                             long silentForMillis, int ownedKeys, Map<String, Integer> agents) {
    }

    /**
     * @param source   {@code known} (the keys this instance tracks) or {@code query} (the keys given in the request)
     * @param capacity per space, the most keys one member may own
     * @param counts   per space, keys owned per member
     */
    public record OwnershipJson(String source, int keys, double epsilon, String digest, long membershipVersion,
                                Map<String, Integer> capacity, Map<String, Map<String, Integer>> counts) {
    }
}
