package io.nvmesh.service.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who would own a key if this instance left and nothing else changed: the same keys of the key's space assigned over
 * the other live members, exactly as {@link OwnershipTable} computes it on the survivors once they declare this
 * instance dead. The hub tells each agent it welcomes, so that an orphan dials its next owner first: dialling any
 * other instance sends half the orphans of a crash to the wrong survivor, which then redirects them (one more
 * connection and upgrade each, in the burst when every survivor is busiest).
 *
 * <p>Only a hint. If membership or the keys change before the crash, the named instance may not be the owner any
 * more; it then redirects the agent as any other instance would. Computed once per {@link Ownership} and space (O(keys
 * &middot; members)) when first asked, then one map look-up. Thread-safe.
 */
public final class Successors {

    private final String self;
    private Ownership basis;
    private OwnershipRing others;
    private final Map<String, Assignment> bySpace = new HashMap<>();

    public Successors(String self) {
        this.self = Objects.requireNonNull(self, "self");
    }

    /**
     * The member that would own {@code key} after this instance left, given today's ownership; empty when no other
     * member is live.
     */
    public synchronized Optional<String> of(Ownership own, String key) {
        if (own != basis) {
            basis = own;
            bySpace.clear();
            List<String> rest = new ArrayList<>(own.members());
            rest.remove(self);
            others = rest.isEmpty() ? null : OwnershipRing.of(rest, own.ring().epsilon());
        }
        if (others == null) {
            return Optional.empty();
        }
        String space = Ownership.spaceOf(key);
        Assignment a = bySpace.get(space);
        if (a == null) {
            Assignment today = own.bySpace().get(space);
            if (today != null) {
                a = others.assign(today.owners().keySet());
                bySpace.put(space, a);
            }
        }
        // A key not known yet (a node's first hello) goes where OwnershipTable would put an unknown key.
        return Optional.of(a == null ? others.preferredOwner(key) : a.ownerOf(key).orElseGet(
                () -> others.preferredOwner(key)));
    }
}
