package io.nvmesh.service.cluster;

import java.util.List;

/**
 * A snapshot of membership as this instance sees it.
 *
 * @param self    this instance's id
 * @param version grows by one with every change of {@link #live} or of a member's epoch
 * @param members every configured instance, self included, sorted by id
 * @param live    ids of the live members, self included, sorted: the input of {@link OwnershipRing}
 */
public record ClusterView(String self, long version, List<MemberStatus> members, List<String> live) {

    public ClusterView {
        Member.checkId(self);
        members = List.copyOf(members);
        live = List.copyOf(live);
        if (!live.contains(self)) {
            throw new IllegalArgumentException("the live members must include self");
        }
        for (int i = 1; i < live.size(); i++) {
            if (live.get(i - 1).compareTo(live.get(i)) >= 0) {
                throw new IllegalArgumentException("live members must be sorted and distinct: " + live);
            }
        }
    }
}
