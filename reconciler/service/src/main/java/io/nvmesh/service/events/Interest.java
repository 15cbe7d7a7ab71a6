package io.nvmesh.service.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The topic filters one instance has subscribers for (or had, within the linger time), as it tells its peers.
 *
 * @param instance the instance's id
 * @param epoch    its incarnation; a newer epoch replaces everything known of an older one
 * @param version  counts changes within the epoch; an older version never replaces a newer one
 * @param filters  topics and {@code <kind>/*} filters
 */
public record Interest(String instance, long epoch, long version, Set<String> filters) {

    public Interest {
        if (instance == null || filters == null) {
            throw new IllegalArgumentException("an interest names its instance and filters");
        }
        filters = Set.copyOf(filters);
        filters.forEach(Topics::checkFilter);
    }

    /** Whether an event on {@code topic} is wanted there. */
    public boolean wants(String topic) {
        if (filters.contains(topic)) {
            return true;
        }
        int slash = topic.indexOf('/');
        return slash > 0 && filters.contains(topic.substring(0, slash + 1) + "*");
    }

    /**
     * The same interest in at most {@code maxBytes} of JSON, wanting at least every topic this wants: exact topics a
     * {@code <kind>/*} of the set already covers are dropped, and while it is still too large, the kind whose exact
     * topics take the most room is replaced by its wildcard. A peer then sends a few events nobody here follows
     * (counted as unwanted and dropped here) rather than an interest larger than its body limit, which it would
     * refuse: with it every event for this instance. At worst the set is the four wildcards and two topics.
     */
    public Interest compact(int maxBytes) {
        if (bytes(filters) + instance.length() <= maxBytes && filters.stream().noneMatch(Topics::isPrefix)) {
            return this; // the common case, on every rebuild: nothing to drop, small enough
        }
        Set<String> out = new HashSet<>();
        for (String f : filters) {
            String kind = Topics.kindOf(f);
            if (Topics.isPrefix(f) || kind == null || !filters.contains(kind + "*")) {
                out.add(f);
            }
        }
        while (bytes(out) + instance.length() > maxBytes) {
            Map<String, Integer> byKind = new HashMap<>();
            for (String f : out) {
                String kind = Topics.kindOf(f);
                if (kind != null && !Topics.isPrefix(f)) {
                    byKind.merge(kind, f.length() + 3, Integer::sum);
                }
            }
            if (byKind.isEmpty()) {
                break;
            }
            String widest = byKind.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            out.removeIf(f -> f.startsWith(widest));
            out.add(widest + "*");
        }
        return out.equals(filters) ? this : new Interest(instance, epoch, version, out);
    }

    /**
     * The size of these filters in the peer endpoint's JSON, from above: topics need no escaping (their characters
     * are checked), so a filter is its length plus quotes and a comma; 128 bytes cover the rest but the instance id.
     */
    private static int bytes(Set<String> filters) {
        int n = 128;
        for (String f : filters) {
            n += f.length() + 3;
        }
        return n;
    }

    /** Whether this is newer than {@code other} (same instance). */
    boolean supersedes(Interest other) {
        return other == null || epoch > other.epoch || (epoch == other.epoch && version > other.version);
    }

    /** SHA-256 of the sorted filters with epoch and version: what the periodic digest compares. */
    public String digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((instance + "\n" + epoch + "\n" + version + "\n").getBytes(StandardCharsets.UTF_8));
            for (String f : new TreeSet<>(filters)) {
                sha.update((f + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
