package io.nvmesh.service.counters;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The merge rule, over an {@link EntryStore}. Per partition only the entries of the highest claim count; within a
 * claim, per counter, the entry with the highest {@code (epoch, seq)}. The state after any set of offers is therefore
 * a function of the set alone: duplicates and reordering change nothing. Totals (the sum over partitions of each
 * counter) are maintained with every accepted entry, so reading one is a single look-up. They are written to the
 * store (persisted, checked against the entries on load) and mirrored in a sorted on-heap map that readers use: a
 * Chronicle look-up costs a few hundred nanoseconds, a whole capacity answer reads a few hundred totals, and the
 * mirror of about ten thousand longs is small.
 *
 * <p>Not thread-safe: {@link Counters} serialises writers; totals may be read concurrently from a Chronicle store.
 */
final class CounterTable {

    /** Digest granularity: a difference costs a pull of one contributor's entries in 1/16 of the partitions. */
    static final int BUCKETS = 16;

    private static final class Claim {
        Stamp stamp;
        final Set<String> counters = new HashSet<>();

        Claim(Stamp stamp) {
            this.stamp = stamp;
        }
    }

    private final EntryStore store;
    private final Map<String, Claim> claims = new HashMap<>();
    private final Map<String, long[]> digests = new HashMap<>();
    private final ConcurrentSkipListMap<String, Long> totals = new ConcurrentSkipListMap<>();

    CounterTable(EntryStore store) {
        this.store = store;
    }

    /**
     * Indexes what the store holds. Entries under a claim that another claim of the same partition outranks (left by
     * a crash in the middle of a handover) are removed; totals are re-derived from the entries, since a crash
     * between writing an entry and its total could leave them apart.
     *
     * @return how many stored totals were wrong and have been corrected
     */
    int load() {
        claims.clear();
        digests.clear();
        totals.clear();
        Map<String, Stamp> best = new HashMap<>();
        store.forEach(e -> best.merge(e.partition(), e.stamp(),
                (a, b) -> a.compareClaim(b) >= 0 ? a : b));
        List<CounterEntry> outranked = new ArrayList<>();
        Map<String, Long> sums = new HashMap<>();
        store.forEach(e -> {
            Stamp claim = best.get(e.partition());
            if (!claim.sameClaim(e.stamp())) {
                outranked.add(e);
                return;
            }
            Claim c = claims.computeIfAbsent(e.partition(), p -> new Claim(e.stamp()));
            c.counters.add(e.counter());
            digest(e, 1);
            sums.merge(e.counter(), e.value(), Long::sum);
        });
        outranked.forEach(e -> store.remove(e.partition(), e.counter()));
        Map<String, Long> stored = new HashMap<>();
        store.forEachTotal(stored::put);
        int fixed = 0;
        for (Map.Entry<String, Long> s : stored.entrySet()) {
            if (sums.getOrDefault(s.getKey(), 0L).longValue() != s.getValue()) {
                fixed++;
                store.putTotal(s.getKey(), sums.getOrDefault(s.getKey(), 0L));
            }
        }
        for (Map.Entry<String, Long> s : sums.entrySet()) {
            if (s.getValue() != 0) {
                totals.put(s.getKey(), s.getValue());
                if (!stored.containsKey(s.getKey())) {
                    fixed++;
                    store.putTotal(s.getKey(), s.getValue());
                }
            }
        }
        return fixed;
    }

    /**
     * Merges one entry.
     *
     * @return whether it changed anything (false for a duplicate, an older version or an outranked claim)
     * @throws ArithmeticException when a total would overflow; nothing is changed then
     */
    boolean offer(CounterEntry e) {
        Claim c = claims.get(e.partition());
        int cmp = c == null ? 1 : e.stamp().compareClaim(c.stamp);
        if (cmp < 0) {
            return false;
        }
        CounterEntry old = cmp == 0 && c.counters.contains(e.counter()) ? store.get(e.partition(), e.counter()) : null;
        if (old != null && e.stamp().compareTo(old.stamp()) <= 0) {
            return false;
        }
        // The totals this entry moves, checked before anything is written: a sum that would wrap is refused.
        Map<String, Long> moves = new HashMap<>();
        if (cmp > 0 && c != null) {
            for (String counter : c.counters) {
                CounterEntry previous = store.get(e.partition(), counter);
                if (previous != null) {
                    moves.merge(counter, Math.negateExact(previous.value()), Math::addExact);
                }
            }
        }
        moves.merge(e.counter(), old == null ? e.value() : Math.subtractExact(e.value(), old.value()), Math::addExact);
        moves.forEach((counter, delta) -> Math.addExact(total(counter), delta));

        if (c == null) {
            c = new Claim(e.stamp());
            claims.put(e.partition(), c);
        } else if (cmp > 0) {
            // A new owner's claim: the previous owner's whole contribution to this partition stops counting.
            for (String counter : c.counters) {
                CounterEntry previous = store.get(e.partition(), counter);
                store.remove(e.partition(), counter);
                if (previous != null) {
                    digest(previous, -1);
                }
            }
            c.counters.clear();
            c.stamp = e.stamp();
        }
        if (old != null) {
            digest(old, -1);
        }
        moves.forEach(this::addTotal);
        store.put(e);
        c.counters.add(e.counter());
        digest(e, 1);
        return true;
    }

    /**
     * Forgets every entry of a partition, as if nobody had contributed to it.
     *
     * @return the claim it was counted under, or null when there was none
     */
    Stamp drop(String partition) {
        Claim c = claims.remove(partition);
        if (c == null) {
            return null;
        }
        for (String counter : c.counters) {
            CounterEntry previous = store.get(partition, counter);
            store.remove(partition, counter);
            if (previous != null) {
                addTotal(counter, -previous.value());
                digest(previous, -1);
            }
        }
        return c.stamp;
    }

    /** The claim on a partition, or null when nobody has contributed to it. */
    Stamp claimOf(String partition) {
        Claim c = claims.get(partition);
        return c == null ? null : c.stamp;
    }

    /** The counters under the partition's current claim. */
    Set<String> countersOf(String partition) {
        Claim c = claims.get(partition);
        return c == null ? Set.of() : Collections.unmodifiableSet(new HashSet<>(c.counters));
    }

    /** The partition's current value of a counter, 0 when absent. */
    long value(String partition, String counter) {
        Claim c = claims.get(partition);
        if (c == null || !c.counters.contains(counter)) {
            return 0;
        }
        CounterEntry e = store.get(partition, counter);
        return e == null ? 0 : e.value();
    }

    CounterEntry entry(String partition, String counter) {
        return store.get(partition, counter);
    }

    Set<String> partitions() {
        return Collections.unmodifiableSet(claims.keySet());
    }

    /** The sum over partitions; safe to call while a writer works (the result may straddle one merge). */
    long total(String counter) {
        Long v = totals.get(counter);
        return v == null ? 0 : v;
    }

    /** The non-zero totals, sorted; a live, read-only view. */
    NavigableMap<String, Long> totalsView() {
        return Collections.unmodifiableNavigableMap(totals);
    }

    /** Every non-zero total, sorted by key: a copy (built entry by entry: the map may change meanwhile). */
    Map<String, Long> totals() {
        Map<String, Long> out = new TreeMap<>();
        totals.forEach(out::put);
        return out;
    }

    List<BucketDigest> digests() {
        List<BucketDigest> out = new ArrayList<>();
        new TreeMap<>(digests).forEach((k, v) -> {
            int hash = k.lastIndexOf('#');
            out.add(new BucketDigest(k.substring(0, hash), Integer.parseInt(k.substring(hash + 1)), v[0], v[1]));
        });
        return out;
    }

    /** The entries {@code contributor} wrote in partitions of {@code bucket}; provisional ones are never served. */
    List<CounterEntry> entriesOf(String contributor, int bucket) {
        List<CounterEntry> out = new ArrayList<>();
        claims.forEach((partition, c) -> {
            if (c.stamp.contributor().equals(contributor) && !c.stamp.provisional()
                    && CounterEntry.bucketOf(partition, BUCKETS) == bucket) {
                for (String counter : c.counters) {
                    CounterEntry e = store.get(partition, counter);
                    if (e != null) {
                        out.add(e);
                    }
                }
            }
        });
        return out;
    }

    /** Every entry, for tests and diagnostics. */
    List<CounterEntry> entries() {
        List<CounterEntry> out = new ArrayList<>();
        store.forEach(out::add);
        return out;
    }

    void clear() {
        store.clear();
        claims.clear();
        digests.clear();
        totals.clear();
    }

    private void addTotal(String counter, long delta) {
        if (delta == 0) {
            return;
        }
        long now = total(counter) + delta;
        store.putTotal(counter, now);
        if (now == 0) {
            totals.remove(counter);
        } else {
            totals.put(counter, now);
        }
    }

    private void digest(CounterEntry e, int sign) {
        if (e.stamp().provisional()) {
            return;
        }
        String key = e.stamp().contributor() + "#" + CounterEntry.bucketOf(e.partition(), BUCKETS);
        long[] d = digests.computeIfAbsent(key, k -> new long[2]);
        d[0] += sign;
        d[1] += sign * e.fingerprint();
        if (d[0] == 0) {
            digests.remove(key);
        }
    }
}
