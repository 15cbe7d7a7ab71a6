package io.nvmesh.service.cluster;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The current {@link Ownership} of this instance: recomputed whenever the live members or the set of known keys
 * change, read without locking.
 *
 * <p>Recomputing is O(keys &middot; members) on the membership thread; for the fleet sizes of today (thousands of keys)
 * that is a few milliseconds. Listeners are told after each recomputation, on the thread that caused it.
 */
public final class OwnershipTable implements MembershipListener {

    private final double epsilon;
    private final List<Consumer<Ownership>> listeners = new CopyOnWriteArrayList<>();
    private volatile Ownership current;
    private Set<String> keys = Set.of();
    private List<String> live;
    private long version;

    public OwnershipTable(ClusterView initial, double epsilon) {
        this.epsilon = epsilon;
        this.live = initial.live();
        this.version = initial.version();
        this.current = compute();
    }

    /** Follows a membership from now on. */
    public static OwnershipTable following(Membership membership, double epsilon) {
        OwnershipTable table = new OwnershipTable(membership.view(), epsilon);
        membership.addListener(table);
        // A change between view() and addListener() would otherwise be missed.
        table.membershipChanged(null, membership.view());
        return table;
    }

    public Ownership current() {
        return current;
    }

    /** Replaces the known keys ({@code space/name}). */
    public void setKeys(Collection<String> newKeys) {
        Set<String> copy = Set.copyOf(new TreeSet<>(Objects.requireNonNull(newKeys, "keys")));
        Ownership next;
        synchronized (this) {
            keys = copy;
            next = recompute();
        }
        notifyListeners(next);
    }

    /** Replaces the known keys of one space ({@code volume}), keeping the other spaces' keys. */
    public void setSpace(String space, Collection<String> spaceKeys) {
        Objects.requireNonNull(space, "space");
        for (String k : spaceKeys) {
            if (!Ownership.spaceOf(k).equals(space)) {
                throw new IllegalArgumentException("key " + k + " is not in space " + space);
            }
        }
        Ownership next;
        synchronized (this) {
            Set<String> merged = new TreeSet<>(spaceKeys);
            keys.stream().filter(k -> !Ownership.spaceOf(k).equals(space)).forEach(merged::add);
            keys = Set.copyOf(merged);
            next = recompute();
        }
        notifyListeners(next);
    }

    public void addListener(Consumer<Ownership> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void membershipChanged(ClusterView previous, ClusterView view) {
        Ownership next;
        synchronized (this) {
            if (view.version() <= version && view.live().equals(live)) {
                return;
            }
            boolean sameMembers = view.live().equals(live);
            version = Math.max(version, view.version());
            if (sameMembers) {
                return; // an epoch change: owners stay as they are
            }
            live = view.live();
            next = recompute();
        }
        notifyListeners(next);
    }

    private Ownership recompute() {
        Ownership next = compute();
        current = next;
        return next;
    }

    private Ownership compute() {
        OwnershipRing ring = OwnershipRing.of(live, epsilon);
        Map<String, List<String>> bySpace = new TreeMap<>();
        for (String key : keys) {
            bySpace.computeIfAbsent(Ownership.spaceOf(key), s -> new java.util.ArrayList<>()).add(key);
        }
        Map<String, Assignment> assignments = new TreeMap<>();
        bySpace.forEach((space, spaceKeys) -> assignments.put(space, ring.assign(spaceKeys)));
        return new Ownership(version, ring, assignments);
    }

    private void notifyListeners(Ownership next) {
        listeners.forEach(l -> l.accept(next));
    }
}
