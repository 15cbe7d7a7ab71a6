package io.nvmesh.service.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Who owns every known key, for one membership version. Keys are {@code space/name} (e.g. {@code target/t-07},
 * {@code client/app-01}, {@code volume/db-01}); each space is balanced on its own, so that no instance ends up with
 * most of the targets while another has most of the clients.
 *
 * @param membershipVersion the {@link ClusterView#version()} it was computed from
 * @param ring              the ring over the live members
 * @param bySpace           the assignment of each key space, by space name
 */
public record Ownership(long membershipVersion, OwnershipRing ring, Map<String, Assignment> bySpace) {

    public Ownership {
        Objects.requireNonNull(ring, "ring");
        bySpace = Map.copyOf(bySpace);
    }

    /** The space of a key: the text before its first {@code /}, or the empty string. */
    public static String spaceOf(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? "" : key.substring(0, slash);
    }

    public List<String> members() {
        return ring.members();
    }

    /** The owner of a known key: one hash-map look-up. */
    public Optional<String> ownerOf(String key) {
        Assignment a = bySpace.get(spaceOf(key));
        return a == null ? Optional.empty() : a.ownerOf(key);
    }

    /**
     * The owner of a known key, or for a key not (yet) known the member it would go to unless that member is full:
     * O(members).
     */
    public String ownerOrPreferred(String key) {
        return ownerOf(key).orElseGet(() -> ring.preferredOwner(key));
    }

    public boolean isKnown(String key) {
        return ownerOf(key).isPresent();
    }

    public int keyCount() {
        return bySpace.values().stream().mapToInt(Assignment::size).sum();
    }

    /** Keys owned per member, all spaces together, in member order. */
    public Map<String, Integer> counts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        ring.members().forEach(m -> counts.put(m, 0));
        bySpace.values().forEach(a -> a.counts().forEach((m, n) -> counts.merge(m, n, Integer::sum)));
        return counts;
    }

    /** Keys owned per member within each space, spaces sorted. */
    public Map<String, Map<String, Integer>> countsBySpace() {
        Map<String, Map<String, Integer>> counts = new TreeMap<>();
        bySpace.forEach((space, a) -> counts.put(space, a.counts()));
        return counts;
    }

    /** Equal on two instances exactly when they agree on members and on every owner. */
    public String digest() {
        long h = Hash64.of(String.join(",", ring.members()));
        for (Map.Entry<String, Assignment> e : new TreeMap<>(bySpace).entrySet()) {
            h = Hash64.fmix64(h * 31 + Hash64.of(e.getKey() + "=" + e.getValue().digest()));
        }
        return String.format("%016x", h);
    }
}
