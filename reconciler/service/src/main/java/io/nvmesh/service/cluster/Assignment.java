package io.nvmesh.service.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The owner of every key of one key space, as computed by {@link OwnershipRing#assign}. Two assignments are equal when
 * they have the same members, capacity and owners.
 *
 * @param members  the live members it was computed for, sorted
 * @param capacity the most keys any member may own
 * @param owners   key to owning member
 */
public record Assignment(List<String> members, int capacity, Map<String, String> owners) {

    public Assignment {
        members = List.copyOf(members);
        owners = Collections.unmodifiableMap(new HashMap<>(Objects.requireNonNull(owners, "owners")));
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        for (String owner : owners.values()) {
            if (!members.contains(owner)) {
                throw new IllegalArgumentException("owner " + owner + " is not a member of " + members);
            }
        }
    }

    public Optional<String> ownerOf(String key) {
        return Optional.ofNullable(owners.get(key));
    }

    /** Keys owned by each member, in member order; members that own nothing count 0. */
    public Map<String, Integer> counts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        members.forEach(m -> counts.put(m, 0));
        owners.values().forEach(m -> counts.merge(m, 1, Integer::sum));
        return Collections.unmodifiableMap(counts);
    }

    /** The keys a member owns, sorted. */
    public List<String> keysOf(String member) {
        List<String> keys = new ArrayList<>();
        owners.forEach((k, m) -> {
            if (m.equals(member)) {
                keys.add(k);
            }
        });
        Collections.sort(keys);
        return keys;
    }

    /** The keys of {@code this} whose owner differs in {@code other} (or that {@code other} does not have). */
    public List<String> movedIn(Assignment other) {
        List<String> moved = new ArrayList<>();
        owners.forEach((k, m) -> {
            if (!m.equals(other.owners.get(k))) {
                moved.add(k);
            }
        });
        Collections.sort(moved);
        return moved;
    }

    /**
     * A short fingerprint of who owns what (hex), equal on two instances exactly when they agree; cheap to compare
     * across the network.
     */
    public String digest() {
        long h = Hash64.of(String.join(",", members));
        for (Map.Entry<String, String> e : new TreeMap<>(owners).entrySet()) {
            h = Hash64.fmix64(h * 31 + Hash64.of(e.getKey() + "\u0000" + e.getValue()));
        }
        return String.format("%016x", h);
    }

    public int size() {
        return owners.size();
    }
}
