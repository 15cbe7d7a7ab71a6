package io.nvmesh.service.counters;

import io.nvmesh.service.cluster.Assignment;
import io.nvmesh.service.cluster.Ownership;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One instance's counters: the totals any instance answers from, and the contributions of the partitions this
 * instance owns, which only it writes.
 *
 * <p>Feeding them: {@link #follow} the instance's ownership, {@link #contributeFrom} once a source of whole
 * partition states exists, then {@link #apply} with the deltas of every state change, in version order. Peers'
 * entries arrive through {@link #mergeFrom}, which believes only what the sender may say ({@link EntryRules}). Reads
 * ({@link #capacity}, {@link #total}) never wait for writers. Once a source is set, the totals are checked against a
 * recount from it, partition by partition, and a partition that disagrees for a whole check interval is repaired.
 *
 * <p>This class follows ownership, merges peers' entries and answers reads; the parts it delegates to are {@link
 * Contributions} (the partitions it owns: claims, terms, the outbox), {@link RecountCheck} (the check against the
 * recorded state and its repairs), {@link CapacityReading} (totals into a capacity snapshot), {@link FileRecovery}
 * (what a new incarnation does with the file it finds), {@link CounterTable} (entries, claims, totals and digests over
 * an {@link EntryStore}) and {@link CounterReplicator} (pushes and digest repair).
 *
 * <p>Thread-safe. Writers are serialised by one lock; taking over partitions runs on the counters' own thread so
 * that the membership thread never waits for the source.
 */
public final class Counters implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Counters.class.getName());

    /** Default size of the entry file: 1,000 targets and 10,000 volumes need about 60,000. */
    public static final long DEFAULT_MAX_ENTRIES = 250_000;

    /** Spaces of ownership keys whose partitions contribute counters. */
    static final Set<String> SPACES = Set.of("target", "volume", "client");

    /** How long a partition must disagree with the recount, unchanged, before it is repaired. */
    public static final Duration DEFAULT_CHECK_EVERY = Duration.ofSeconds(10);

    private final String self;
    private final long epoch;
    private final EntryStore store;
    private final CounterTable table;
    private final Object lock = new Object();
    /** Guarded by the lock: the partitions this incarnation owns and writes. */
    private final Contributions contributions;
    private final RecountCheck recount;
    private final ScheduledExecutorService worker;
    private final LongSupplier clock;
    private final Duration skew;
    /** Whether this instance sees the recorded state and so can tell a known partition from a made-up one. */
    private volatile boolean judgesKeys;
    private volatile BiConsumer<String, String> refusals = (endpoint, reason) -> { };
    private boolean auditing;
    private final AtomicLong fileRepairs = new AtomicLong();
    private volatile boolean needsRebuild;
    private volatile ContributionSource source;
    private volatile Set<String> wanted = Set.of();
    /** The instance's current ownership, read afresh by every reconciliation (listeners may be told out of order). */
    private volatile Supplier<Ownership> ownership;
    /** Keys seen in any ownership so far: only a key that was known and vanished is retracted (not one never seen). */
    private final Set<String> everKnown = new HashSet<>();
    /** Partitions that are no ownership key (recorded nodes): owned by {@link Ownership#ownerOrPreferred}. */
    private volatile Set<String> preferred = Set.of();
    private volatile CounterReplicator replicator;
    private volatile boolean closed;
    /** Grows whenever an entry is accepted (written here, merged, rebuilt): a cheap "have the totals moved?". */
    private final AtomicLong changes = new AtomicLong();

    private Counters(String self, long requestedEpoch, EntryStore store, boolean needsRebuild, LongSupplier clock,
                     Duration skew) {
        this.self = Objects.requireNonNull(self, "self");
        this.store = store;
        this.clock = clock;
        this.skew = skew;
        this.table = new CounterTable(store);
        long now = clock.getAsLong();
        fileRepairs.addAndGet(FileRecovery.dropBroken(store, self, now, skew));
        int fixed = table.load();
        if (fixed > 0) {
            LOG.log(System.Logger.Level.WARNING, () -> self + ": " + fixed + " counter total(s) disagreed with their "
                    + "entries after the last stop and were corrected");
        }
        this.epoch = FileRecovery.nextEpoch(store, self, requestedEpoch, now, skew);
        this.contributions = new Contributions(self, epoch, table, changes);
        this.recount = new RecountCheck(self, lock, table, contributions, changes, this::knownOutsideTable,
                () -> closed);
        this.needsRebuild = needsRebuild;
        this.worker = daemonThread("nvmesh-counters-" + self);
    }

    /** One daemon thread of our own for timed and queued work. */
    private static ScheduledExecutorService daemonThread(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the counters kept in {@code dir} (Chronicle Map files), recovering them after a crash. A missing or
     * damaged file is replaced by an empty one and {@link #needsRebuild()} is true.
     *
     * @param epoch this incarnation (e.g. the instance's start time in milliseconds)
     */
    public static Counters open(Path dir, String self, long epoch) {
        return open(dir, self, epoch, DEFAULT_MAX_ENTRIES);
    }

    public static Counters open(Path dir, String self, long epoch, long maxEntries) {
        return open(dir, self, epoch, maxEntries, EntryRules.DEFAULT_SKEW);
    }

    /** @param skew how far ahead of this instance's clock a peer's epoch or term may be ({@code cluster.maxClockSkew}) */
    public static Counters open(Path dir, String self, long epoch, long maxEntries, Duration skew) {
        ChronicleEntryStore store = ChronicleEntryStore.open(dir, maxEntries);
        LongSupplier clock = System::currentTimeMillis;
        try {
            return new Counters(self, epoch, store, store.fresh() || store.damaged(), clock, skew);
        } catch (RuntimeException e) {
            // The files opened but their content does not decode: as damaged as a bad checksum.
            LOG.log(System.Logger.Level.WARNING, "counter files in " + dir + " do not decode (" + e
                    + "); starting from empty files, to be rebuilt");
            store.close();
            ChronicleEntryStore.discard(dir);
            return new Counters(self, epoch, ChronicleEntryStore.open(dir, maxEntries), true, clock, skew);
        }
    }

    /** Counters that keep nothing on disk (tests, tools). */
    static Counters onHeap(String self, long epoch) {
        return onHeap(self, epoch, System::currentTimeMillis);
    }

    /** Counters that keep nothing on disk, with a clock of epoch milliseconds to bound peers' epochs by. */
    static Counters onHeap(String self, long epoch, LongSupplier clock) {
        return new Counters(self, epoch, new HeapEntryStore(), true, clock, EntryRules.DEFAULT_SKEW);
    }

    public String self() {
        return self;
    }

    public long epoch() {
        return epoch;
    }

    /** Whether the file was missing or damaged and nothing has been rebuilt into it yet. */
    public boolean needsRebuild() {
        return needsRebuild;
    }

    /**
     * Fills the counters from a full recomputation (partition to its contribution, e.g. {@link
     * CounterDeltas#contributions}) where nothing better is known: such entries are provisional, lowest of all
     * claims, never replicated, and replaced as soon as the partition's owner's entries arrive. Partitions this
     * instance owns are then taken over from the {@link ContributionSource} as usual.
     */
    public void rebuild(Supplier<Map<String, Map<String, Long>>> recomputation) {
        Map<String, Map<String, Long>> all = recomputation.get();
        int filled = 0;
        synchronized (lock) {
            for (Map.Entry<String, Map<String, Long>> p : all.entrySet()) {
                if (table.claimOf(p.getKey()) != null) {
                    continue;
                }
                filled++;
                for (Map.Entry<String, Long> c : p.getValue().entrySet()) {
                    if (c.getValue() != 0) {
                        if (table.offer(new CounterEntry(p.getKey(), c.getKey(), c.getValue(),
                                Stamp.PROVISIONAL))) {
                            changes.incrementAndGet();
                        }
                    }
                }
            }
        }
        needsRebuild = false;
        int n = filled;
        LOG.log(System.Logger.Level.INFO, () -> self + ": counters rebuilt; " + n + " partition(s) filled in "
                + "provisionally");
        schedule(this::reconcile);
    }

    /** Where partitions taken over are read from; until it is set this instance only mirrors its peers. */
    public void contributeFrom(ContributionSource source) {
        this.source = Objects.requireNonNull(source, "source");
        judgesKeys = true;
        schedule(this::reconcile);
        synchronized (lock) {
            if (!auditing && !closed) {
                auditing = true;
                long tick = Math.max(20, recount.checkEvery().toMillis() / 10);
                try {
                    worker.scheduleWithFixedDelay(() -> {
                        try {
                            audit();
                        } catch (RuntimeException e) {
                            LOG.log(System.Logger.Level.ERROR, self + ": checking the counters against a recount "
                                    + "failed", e);
                        }
                    }, tick, tick, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // closing
                }
            }
        }
    }

    /**
     * How long a partition must disagree with the recount, unchanged, before it is repaired (also the interval of
     * full checks; suspects are looked at ten times as often). Before {@link #contributeFrom}; tests shorten it.
     */
    void checkEvery(Duration interval) {
        recount.checkEvery(interval);
    }

    /** Where refused entries are counted: {@code (endpoint, reason)}, e.g. the pulls of digest repair. */
    public void countRefusals(BiConsumer<String, String> sink) {
        refusals = Objects.requireNonNull(sink, "sink");
    }

    void refused(String endpoint, String reason) {
        refusals.accept(endpoint, reason);
    }

    /** Partitions repaired because their counted contribution disagreed with the recount. */
    public long recountRepairs() {
        return recount.repairs();
    }

    /** Partitions that had entries dropped from the counter file on open because they broke the entry rules. */
    public long fileRepairs() {
        return fileRepairs.get();
    }

    /** Whether some partition's counted contribution differs from the recount now (repair pending or refused). */
    public boolean disagreesWithRecount() {
        return recount.disagrees();
    }

    /**
     * Follows the instance's ownership: the partitions (target, volume and client keys) it owns. Call {@link
     * #ownershipChanged} whenever it changes; the current ownership is read again each time, so that two listeners
     * told in the wrong order never leave a stale one in place.
     *
     * <p>A partition that was a known key, is no longer one (a deleted volume, a removed target) and still counts is
     * retracted by the member it would go to, so that a deletion that fell into a handover is not counted for ever.
     */
    public void follow(Supplier<Ownership> current) {
        this.ownership = Objects.requireNonNull(current, "current");
        schedule(this::reconcile);
    }

    /** The ownership given to {@link #follow} has changed. */
    public void ownershipChanged() {
        schedule(this::reconcile);
    }

    /**
     * Partitions to contribute although they are not keys of the ownership (the recorded targets and clients): each
     * is owned by {@link Ownership#ownerOrPreferred}, the rule the agent hub follows for a node, so a node's partition
     * sits where its agent is held, and a node whose agent is down still has a writer. Replaces the previous set; a
     * partition that leaves it (and is no ownership key) is retracted like a vanished key.
     */
    public void contributeAlso(Set<String> partitions) {
        judgesKeys = true;
        Set<String> copy = Set.copyOf(partitions);
        synchronized (lock) {
            everKnown.addAll(copy);
        }
        if (!copy.equals(preferred)) {
            preferred = copy;
            schedule(this::reconcile);
        }
    }

    private static Set<String> ownedBy(Ownership ownership, String member, Set<String> preferred) {
        Set<String> mine = new HashSet<>();
        for (Map.Entry<String, Assignment> space : ownership.bySpace().entrySet()) {
            if (SPACES.contains(space.getKey())) {
                mine.addAll(space.getValue().keysOf(member));
            }
        }
        for (String p : preferred) {
            if (member.equals(ownership.ownerOrPreferred(p))) {
                mine.add(p);
            }
        }
        return mine;
    }

    /** Follows a fixed set of owned partitions (tests, tools); newly owned ones are taken over on the counters' thread. */
    void follow(Set<String> partitions) {
        wanted = Set.copyOf(partitions);
        schedule(this::reconcile);
    }

    /** Partitions this instance currently contributes (owns and has taken over). */
    public Set<String> contributing() {
        synchronized (lock) {
            return contributions.partitions();
        }
    }

    /**
     * Applies the deltas of one state change to the partitions this instance has taken over; others are skipped, as
     * are partitions whose state was read at this version or later.
     *
     * @param version the state version the change leads to; versions grow
     */
    public void apply(long version, List<CounterDelta> deltas) {
        Map<String, List<CounterDelta>> byPartition = new LinkedHashMap<>();
        for (CounterDelta d : deltas) {
            byPartition.computeIfAbsent(d.partition(), p -> new ArrayList<>()).add(d);
        }
        List<String> stolen = new ArrayList<>();
        synchronized (lock) {
            for (Map.Entry<String, List<CounterDelta>> e : byPartition.entrySet()) {
                if (!contributions.apply(e.getKey(), version, e.getValue())) {
                    stolen.add(e.getKey());
                }
            }
        }
        if (!stolen.isEmpty()) {
            schedule(this::reconcile);
        }
    }

    /**
     * Merges what a peer sent (a push, or a pull of digest repair), believing only what {@code sender} may say: a
     * batch with an entry of another contributor is refused whole ({@link EntryRules#NOT_YOUR_ID}), as is one with an
     * entry that breaks {@link EntryRules}. Entries with a count for a partition this instance does not know are
     * refused one by one and the rest merged: a peer that has seen a new volume before this instance has is honest,
     * and the digest offers the entries again once the key is known. A retraction (all zeros) of an unknown partition
     * passes, so that a deleted key's count can still be taken back.
     *
     * @param sender the authenticated instance the entries came from
     */
    public MergeOutcome mergeFrom(String sender, List<CounterEntry> entries) {
        Objects.requireNonNull(sender, "sender");
        for (CounterEntry e : entries) {
            if (!e.stamp().contributor().equals(sender)) {
                return MergeOutcome.refusedWhole(entries.size(), new EntryRules.Refusal(e, EntryRules.NOT_YOUR_ID,
                        "instance " + sender + " may only send its own entries, not those of contributor \""
                                + e.stamp().contributor() + "\""));
            }
        }
        long now = clock.getAsLong();
        for (CounterEntry e : entries) {
            EntryRules.Refusal r = EntryRules.check(e, now, skew);
            if (r != null) {
                return MergeOutcome.refusedWhole(entries.size(), r);
            }
        }
        List<EntryRules.Refusal> refused = new ArrayList<>();
        int accepted = offerAll(entries, refused, true);
        return new MergeOutcome(entries.size(), accepted, refused, false);
    }

    /**
     * Merges entries as they are, without the rules (tests of the merge rule).
     *
     * @return how many changed something
     */
    int merge(List<CounterEntry> entries) {
        return offerAll(entries, new ArrayList<>(), false);
    }

    private int offerAll(List<CounterEntry> entries, List<EntryRules.Refusal> refused, boolean checkKeys) {
        int accepted = 0;
        boolean contested = false;
        synchronized (lock) {
            for (CounterEntry e : entries) {
                if (e.stamp().provisional() || e.stamp().contributor().equals(self) && e.stamp().epoch() == epoch) {
                    continue; // provisional entries stay local; our own present entries we already have
                }
                if (checkKeys && e.value() != 0 && !knows(e.partition())) {
                    refused.add(new EntryRules.Refusal(e, EntryRules.UNKNOWN_PARTITION, "this instance knows no "
                            + "partition " + e.partition()));
                    continue;
                }
                boolean changed;
                try {
                    changed = table.offer(e);
                } catch (ArithmeticException overflow) {
                    refused.add(new EntryRules.Refusal(e, EntryRules.OVERFLOW, "the total of " + e.counter()
                            + " would overflow"));
                    continue;
                }
                if (changed) {
                    accepted++;
                    changes.incrementAndGet();
                    if (contributions.owns(e.partition()) ? contributions.contested(e.partition())
                            : e.value() != 0 && isOrphanOfMine(e.partition())) {
                        contested = true;
                    }
                }
            }
        }
        if (contested) {
            schedule(this::reconcile);
        }
        return accepted;
    }

    /**
     * Called with the lock held: whether the partition is a key this instance knows or has known (owned by anyone, or
     * a recorded node). A key that was deleted still counts as known: a late count for it must be merged so that the
     * member it would go to sees it and retracts it under a higher claim (refused, it would stay counted wherever it
     * had arrived first). An instance that does not see the recorded state (no reconcile loop) cannot tell, and
     * mirrors its peers.
     */
    private boolean knows(String partition) {
        if (!judgesKeys) {
            return true;
        }
        Supplier<Ownership> following = ownership;
        Ownership o = following == null ? null : following.get();
        return o != null && o.isKnown(partition) || preferred.contains(partition) || wanted.contains(partition)
                || everKnown.contains(partition);
    }

    /** Digests of every (contributor, bucket) held, for a peer to compare. */
    public List<BucketDigest> digests() {
        synchronized (lock) {
            return table.digests();
        }
    }

    /** What {@code contributor} wrote in the partitions of a bucket, for a peer that lacks it. */
    public List<CounterEntry> entriesOf(String contributor, int bucket) {
        synchronized (lock) {
            return table.entriesOf(contributor, bucket);
        }
    }

    /** A number that grows whenever an entry was accepted; equal numbers mean the totals have not moved. */
    public long changes() {
        return changes.get();
    }

    /** The total of one counter over all partitions: one look-up. */
    public long total(String counter) {
        return table.total(counter);
    }

    /** Every non-zero total, sorted. */
    public Map<String, Long> totals() {
        return table.totals();
    }

    /** Capacity and health totals; per-target bytes only when asked for (there are many targets). */
    public CapacitySnapshot capacity(boolean withTargets) {
        return CapacityReading.of(table.totalsView(), withTargets, !disagreesWithRecount());
    }

    /**
     * Starts sending changed entries to the live peers and comparing digests with them.
     *
     * @param peers the base URLs of the live peers by their ids, asked anew each round
     */
    public void replicate(CounterTransport transport, Supplier<Map<String, URI>> peers, Duration flushEvery,
                          Duration digestEvery) {
        synchronized (lock) {
            if (replicator != null) {
                throw new IllegalStateException("counters of " + self + " already replicate");
            }
            replicator = CounterReplicator.start(this, transport, peers, flushEvery, digestEvery);
        }
    }

    /** Entries written since the last call, the latest per counter, in write order. */
    List<CounterEntry> drainOutbox() {
        synchronized (lock) {
            return contributions.drainOutbox();
        }
    }

    /** Every stored entry, for tests. */
    List<CounterEntry> entries() {
        synchronized (lock) {
            return table.entries();
        }
    }

    /** Takes over newly owned partitions, lets go of lost ones, re-claims contested ones. */
    private void reconcile() {
        ContributionSource src = source;
        if (src == null || closed) {
            return;
        }
        Supplier<Ownership> following = ownership;
        Ownership own = following == null ? null : following.get();
        Set<String> extra = preferred;
        Set<String> want = own == null ? wanted : ownedBy(own, self, extra);
        wanted = want;
        List<String> toTake = new ArrayList<>();
        List<String> orphans = new ArrayList<>();
        synchronized (lock) {
            if (own != null) {
                own.bySpace().forEach((space, a) -> {
                    if (SPACES.contains(space)) {
                        everKnown.addAll(a.owners().keySet());
                    }
                });
                everKnown.addAll(extra);
            }
            contributions.retainOnly(want);
            for (String p : want) {
                if (contributions.needsTaking(p)) {
                    toTake.add(p);
                }
            }
            if (own != null) {
                for (String p : table.partitions()) {
                    if (!want.contains(p) && isOrphanOfMine(p) && counts(p)) {
                        orphans.add(p);
                    }
                }
            }
        }
        retract(src, orphans);
        takeOver(src, toTake);
    }

    /** Retracts the counts of partitions that were known keys, are not now, and would come to this instance. */
    private void retract(ContributionSource src, List<String> orphans) {
        for (String p : orphans) {
            try {
                synchronized (lock) {
                    if (!wanted.contains(p) && isOrphanOfMine(p) && counts(p)) {
                        contributions.take(p, src.stateOf(p));
                        // Retracted, not owned: nobody applies deltas to a partition that is gone.
                        contributions.forget(p);
                        LOG.log(System.Logger.Level.DEBUG, () -> self + ": retracted " + p + ", no longer a known key");
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, self + ": cannot retract the counters of " + p, e);
            }
        }
    }

    private void takeOver(ContributionSource src, List<String> toTake) {
        for (String p : toTake) {
            if (closed) {
                return;
            }
            try {
                synchronized (lock) {
                    if (wanted.contains(p)) {
                        contributions.take(p, src.stateOf(p));
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, self + ": cannot take over the counters of " + p
                        + "; will retry with the next ownership or state change", e);
            }
        }
    }

    /** Checks the counted contributions against a recount ({@link RecountCheck}), on the counters' thread. */
    private void audit() {
        ContributionSource src = source;
        if (src == null || closed) {
            return;
        }
        recount.audit(src);
    }

    /** Partitions known besides those in the table: ownership keys, recorded nodes and the wanted ones. */
    private Set<String> knownOutsideTable() {
        Set<String> partitions = new HashSet<>();
        Supplier<Ownership> following = ownership;
        Ownership own = following == null ? null : following.get();
        if (own != null) {
            own.bySpace().forEach((space, a) -> {
                if (SPACES.contains(space)) {
                    partitions.addAll(a.owners().keySet());
                }
            });
        }
        partitions.addAll(preferred);
        partitions.addAll(wanted);
        return partitions;
    }

    /**
     * Called with the lock held: whether the partition was a known key, is not one now, and this instance is the
     * member it would go to.
     */
    private boolean isOrphanOfMine(String partition) {
        Supplier<Ownership> following = ownership;
        if (following == null || !everKnown.contains(partition)) {
            return false;
        }
        Ownership o = following.get();
        return !o.isKnown(partition) && !preferred.contains(partition)
                && self.equals(o.ownerOrPreferred(partition));
    }

    /** Called with the lock held: whether any counter of the partition is not zero. */
    private boolean counts(String partition) {
        for (String counter : table.countersOf(partition)) {
            if (table.value(partition, counter) != 0) {
                return true;
            }
        }
        return false;
    }

    private void schedule(Runnable task) {
        if (closed) {
            return;
        }
        try {
            worker.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, self + ": counters task failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    /** Waits until work scheduled so far (taking over partitions) is done; for tests and orderly hand-offs. */
    void awaitIdle(Duration timeout) throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        schedule(done::countDown);
        done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops replication and closes the files. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        CounterReplicator r = replicator;
        if (r != null) {
            r.close();
        }
        worker.shutdownNow();
        try {
            worker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            store.close();
        }
    }
}
