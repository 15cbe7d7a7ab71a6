package io.nvmesh.service.counters;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The partitions this incarnation owns and writes: the claim (term) it holds on each and the state version it has
 * counted up to, how a partition is taken over with a term above every claim seen, and the outbox of entries written
 * since replication last looked.
 *
 * <p>Not thread-safe: {@link Counters} calls it with its lock held.
 */
final class Contributions {

    private static final System.Logger LOG = System.getLogger(Contributions.class.getName());

    /** What this incarnation holds of a partition it owns. */
    private static final class Owned {
        long version;
        long term;
    }

    private final String self;
    private final long epoch;
    private final CounterTable table;
    /** Grows whenever an entry is accepted; shared with the counters. */
    private final AtomicLong changes;
    private final Map<String, Owned> owned = new HashMap<>();
    private final LinkedHashMap<String, CounterEntry> outbox = new LinkedHashMap<>();
    private long seq;

    Contributions(String self, long epoch, CounterTable table, AtomicLong changes) {
        this.self = self;
        this.epoch = epoch;
        this.table = table;
        this.changes = changes;
    }

    boolean owns(String partition) {
        return owned.containsKey(partition);
    }

    Set<String> partitions() {
        return Set.copyOf(owned.keySet());
    }

    /** Lets go of every partition not in {@code wanted}. */
    void retainOnly(Set<String> wanted) {
        owned.keySet().retainAll(wanted);
    }

    /** Lets go of a partition (retracted: nobody applies deltas to a partition that is gone). */
    void forget(String partition) {
        owned.remove(partition);
    }

    /** Whether the partition is owned here but its claim is another's (or none): it must be taken again. */
    boolean contested(String partition) {
        Owned o = owned.get(partition);
        return o != null && !isMine(table.claimOf(partition), o);
    }

    /** Whether the partition, wanted here, must be taken over: not owned yet, or its claim is now another's. */
    boolean needsTaking(String partition) {
        Owned o = owned.get(partition);
        Stamp claim = table.claimOf(partition);
        return o == null || claim != null && !isMine(claim, o);
    }

    /** The term this incarnation claims the partition with, or -1 when it does not own it. */
    long term(String partition) {
        Owned o = owned.get(partition);
        return o == null ? -1 : o.term;
    }

    /**
     * Applies one partition's deltas of a state change, unless the partition is not owned here or was read at this
     * version or later.
     *
     * @return false when another claim took the partition meanwhile (it must be taken again)
     */
    boolean apply(String partition, long version, List<CounterDelta> deltas) {
        Owned o = owned.get(partition);
        if (o == null || version <= o.version) {
            return true;
        }
        Stamp claim = table.claimOf(partition);
        if (claim != null && !isMine(claim, o)) {
            return false;
        }
        if (claim == null) {
            o.term = Math.max(firstTerm(), o.term + 1);
        }
        for (CounterDelta d : deltas) {
            write(partition, o.term, d.counter(), table.value(partition, d.counter()) + d.delta());
        }
        o.version = version;
        return true;
    }

    /** Claims the partition with a term above every claim seen, and writes its state. */
    void take(String partition, PartitionState state) {
        Stamp claim = table.claimOf(partition);
        Owned previous = owned.get(partition);
        Owned o = new Owned();
        o.version = state.version();
        Map<String, Long> values = new TreeMap<>(CounterKeys.copyWithoutZeros(state.counters()));
        long above = previous == null ? 0 : previous.term;
        if (claim != null) {
            above = Math.max(above, claim.term());
            // Even an empty contribution must be written once, so that the previous claim stops counting everywhere.
            table.countersOf(partition).forEach(k -> values.putIfAbsent(k, 0L));
        }
        if (above >= EntryRules.MAX_STAMP) {
            LOG.log(System.Logger.Level.WARNING, () -> self + ": cannot outrank the claim on " + partition
                    + " (term at the bound)");
            return;
        }
        o.term = claim == null && previous == null && values.isEmpty() ? 0
                : claim == null || claim.provisional() ? Math.max(firstTerm(), above + 1) : above + 1;
        values.forEach((k, v) -> write(partition, o.term, k, v));
        owned.put(partition, o);
    }

    /**
     * The term of a first claim on a partition that has none here: this incarnation's epoch. An instance that lost
     * its file does not know the terms its previous incarnation claimed with, and no peer hands them back (a peer
     * publishes only its own entries); the epoch, a start time in milliseconds, outranks them unless that
     * incarnation took the partition over more often than milliseconds have passed since it started.
     */
    private long firstTerm() {
        return Math.max(1, Math.min(epoch, EntryRules.MAX_STAMP / 2));
    }

    private boolean isMine(Stamp claim, Owned o) {
        return claim != null && claim.term() == o.term && claim.contributor().equals(self) && claim.epoch() == epoch;
    }

    private void write(String partition, long term, String counter, long value) {
        CounterEntry e = new CounterEntry(partition, counter, value, new Stamp(term, self, epoch, ++seq));
        if (table.offer(e)) {
            changes.incrementAndGet();
            outbox.put(e.key(), e);
        }
    }

    /** Entries written since the last call, the latest per counter, in write order. */
    List<CounterEntry> drainOutbox() {
        List<CounterEntry> out = new ArrayList<>(outbox.values());
        outbox.clear();
        return out;
    }
}
