package io.nvmesh.service.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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
        Objects.requireNonNull(instance, "instance");
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
