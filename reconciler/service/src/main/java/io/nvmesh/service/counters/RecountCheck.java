package io.nvmesh.service.counters;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The check of the counted contributions against a recount from the recorded state, partition by partition, and the
 * repair of a partition that disagrees for a whole check interval: taken over again when it is owned here, otherwise
 * dropped and counted provisionally until its owner's entries arrive.
 *
 * <p>Runs on the counters' thread; shares the counters' lock, the recount itself is read outside it.
 */
final class RecountCheck {

    private static final System.Logger LOG = System.getLogger(RecountCheck.class.getName());

    /** A partition whose counted contribution differed from the recount when first seen so. */
    private record Suspect(Map<String, Long> expected, Map<String, Long> held, Stamp claim, long since) {

        boolean sameAs(Map<String, Long> expected, Map<String, Long> held, Stamp claim) {
            return this.expected.equals(expected) && this.held.equals(held) && Objects.equals(this.claim, claim);
        }
    }

    private final String self;
    private final Object lock;
    private final CounterTable table;
    private final Contributions contributions;
    private final AtomicLong changes;
    /** Partitions known outside the table (ownership keys, recorded nodes, wanted ones), read without the lock. */
    private final Supplier<Set<String>> known;
    private final BooleanSupplier closed;
    private volatile Duration checkEvery = Counters.DEFAULT_CHECK_EVERY;
    /** Guarded by the lock: partitions whose counted contribution differs from the recount. */
    private final Map<String, Suspect> suspects = new HashMap<>();
    /** Guarded by the lock: the claim whose entries a partition not owned here was last repaired from. */
    private final Map<String, Stamp> disputed = new HashMap<>();
    private final AtomicLong repairs = new AtomicLong();
    // Only the counters' thread touches these.
    private long lastFullCheck;
    private long changesAtFullCheck = -1;
    private long changesAtLastTick = -1;

    RecountCheck(String self, Object lock, CounterTable table, Contributions contributions, AtomicLong changes,
                 Supplier<Set<String>> known, BooleanSupplier closed) {
        this.self = self;
        this.lock = lock;
        this.table = table;
        this.contributions = contributions;
        this.changes = changes;
        this.known = known;
        this.closed = closed;
    }

    Duration checkEvery() {
        return checkEvery;
    }

    void checkEvery(Duration interval) {
        checkEvery = Objects.requireNonNull(interval, "interval");
    }

    /** Partitions repaired because their counted contribution disagreed with the recount. */
    long repairs() {
        return repairs.get();
    }

    /** Whether some partition's counted contribution differs from the recount now (repair pending or refused). */
    boolean disagrees() {
        synchronized (lock) {
            return !suspects.isEmpty();
        }
    }

    /**
     * Compares the counted contributions with a recount from the source, partition by partition: all of them every
     * check interval and once the counters settle after a change (nothing accepted for a tick), the suspects every
     * tick. A partition is repaired only once its disagreement has stayed the same (same recount, same entries held)
     * for a whole interval, so that a count on its way (a push in flight, a peer that has not yet observed a commit)
     * never triggers a repair.
     */
    void audit(ContributionSource src) {
        long now = System.nanoTime();
        long moved = changes.get();
        boolean settled = moved != changesAtFullCheck && moved == changesAtLastTick;
        changesAtLastTick = moved;
        Set<String> partitions = new HashSet<>();
        if (now - lastFullCheck >= checkEvery.toNanos() || settled) {
            lastFullCheck = now;
            changesAtFullCheck = moved;
            Set<String> outside = known.get();
            synchronized (lock) {
                partitions.addAll(table.partitions());
                partitions.addAll(suspects.keySet());
            }
            partitions.addAll(outside);
        } else {
            synchronized (lock) {
                partitions.addAll(suspects.keySet());
            }
        }
        for (String p : partitions) {
            if (closed.getAsBoolean()) {
                return;
            }
            check(p, src.stateOf(p), now);
        }
    }

    private void check(String partition, PartitionState state, long now) {
        synchronized (lock) {
            boolean owned = contributions.owns(partition);
            Stamp claim = table.claimOf(partition);
            if (owned && claim != null && contributions.contested(partition)) {
                suspects.remove(partition); // contested: re-taken by the ownership reconciliation
                return;
            }
            Map<String, Long> expected = new TreeMap<>(CounterKeys.copyWithoutZeros(state.counters()));
            Map<String, Long> held = held(partition);
            // A client's state (connected, lost) is known only to its owner: elsewhere only its presence is checked.
            boolean agrees = !owned && partition.startsWith("client/")
                    ? sum(held) == sum(expected) : held.equals(expected);
            if (agrees) {
                suspects.remove(partition);
                if (claim == null || !claim.provisional()) {
                    disputed.remove(partition); // agreeing with the recount we wrote proves nothing of the owner
                }
                return;
            }
            Suspect s = suspects.get(partition);
            if (s == null || !s.sameAs(expected, held, claim)) {
                suspects.put(partition, new Suspect(expected, held, claim, now));
                return;
            }
            if (now - s.since() < checkEvery.toNanos()) {
                return;
            }
            if (owned) {
                retake(partition, state, expected, held);
            } else if (!dropAndCount(partition, claim, expected, held)) {
                return;
            }
            repairs.incrementAndGet();
        }
    }

    /** Called with the lock held: the non-zero values held for the partition. */
    private Map<String, Long> held(String partition) {
        Map<String, Long> held = new TreeMap<>();
        for (String counter : table.countersOf(partition)) {
            long v = table.value(partition, counter);
            if (v != 0) {
                held.put(counter, v);
            }
        }
        return held;
    }

    /** Called with the lock held: a partition owned here that disagrees is taken over again. */
    private void retake(String partition, PartitionState state, Map<String, Long> expected, Map<String, Long> held) {
        contributions.take(partition, state);
        suspects.remove(partition);
        long term = contributions.term(partition);
        LOG.log(System.Logger.Level.WARNING, () -> self + ": the counters of " + partition + " " + held
                + " disagreed with the recorded state " + expected + "; taken over again with term "
                + (term < 0 ? "?" : term));
    }

    /**
     * Called with the lock held: a partition owned elsewhere that disagrees is dropped here and counted provisionally
     * from the recount, once per claim.
     *
     * @return false when it was repaired from this claim before and it came back: its owner must repair it
     */
    private boolean dropAndCount(String partition, Stamp claim, Map<String, Long> expected, Map<String, Long> held) {
        Stamp before = disputed.get(partition);
        if (claim != null && before != null && claim.sameClaim(before)) {
            return false;
        }
        Stamp dropped = table.drop(partition);
        for (Map.Entry<String, Long> c : expected.entrySet()) {
            table.offer(new CounterEntry(partition, c.getKey(), c.getValue(), Stamp.PROVISIONAL));
        }
        changes.incrementAndGet();
        if (dropped != null && !dropped.provisional()) {
            disputed.put(partition, dropped);
        }
        suspects.remove(partition);
        LOG.log(System.Logger.Level.WARNING, () -> self + ": the counters of " + partition + " " + held
                + (dropped == null ? "" : " (claim " + dropped.term() + "/" + dropped.contributor() + ")")
                + " disagreed with the recorded state " + expected + "; dropped here and counted "
                + "provisionally until its owner's entries arrive");
        return true;
    }

    private static long sum(Map<String, Long> values) {
        long total = 0;
        for (long v : values.values()) {
            total += v;
        }
        return total;
    }
}
