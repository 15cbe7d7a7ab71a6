package io.nvmesh.service.counters;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Moves entries between instances: every flush interval the entries written since the last one are pushed to each
 * live peer (the latest per counter, in batches that keep a partition's entries together, at most one batch in flight
 * per peer); every digest interval each peer's digests of its own entries are compared with ours of that peer's
 * entries, and any bucket that differs is pulled from that peer, which answers with its own entries only. A peer
 * never relays a third instance's entries: it can only vouch for what it wrote itself (the entries carry no
 * signature). Pulled entries are held to the same rules as pushed ones. Pushes that fail are not retried: the next
 * digest round finds what they would have carried.
 *
 * <p>All bookkeeping runs on one scheduler thread; network calls never block it.
 */
final class CounterReplicator implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CounterReplicator.class.getName());

    /**
     * Entries per pushed batch (up to half as many again to finish a partition): about 45 KiB of JSON at most, under
     * the server's 64 KiB request limit.
     */
    static final int BATCH = 200;

    /** The {@code endpoint} label of refusals of pulled entries. */
    static final String REPAIR_ENDPOINT = "counters-repair";

    private final Counters counters;
    private final CounterTransport transport;
    private final Supplier<Map<String, URI>> peers;
    private final ScheduledExecutorService scheduler;
    private final Map<URI, LinkedHashMap<String, CounterEntry>> pending = new HashMap<>();
    private final Set<URI> pushing = new HashSet<>();
    private final Set<URI> comparing = new HashSet<>();

    private CounterReplicator(Counters counters, CounterTransport transport, Supplier<Map<String, URI>> peers) {
        this.counters = counters;
        this.transport = transport;
        this.peers = peers;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nvmesh-counters-replication-" + counters.self());
            t.setDaemon(true);
            return t;
        });
    }

    static CounterReplicator start(Counters counters, CounterTransport transport, Supplier<Map<String, URI>> peers,
                                   Duration flushEvery, Duration digestEvery) {
        CounterReplicator r = new CounterReplicator(counters, transport, peers);
        r.scheduler.scheduleWithFixedDelay(r.guarded(r::flush), flushEvery.toNanos(), flushEvery.toNanos(),
                TimeUnit.NANOSECONDS);
        r.scheduler.scheduleWithFixedDelay(r.guarded(r::compareDigests), digestEvery.toNanos(), digestEvery.toNanos(),
                TimeUnit.NANOSECONDS);
        return r;
    }

    private void flush() {
        List<CounterEntry> changed = counters.drainOutbox();
        List<URI> live = List.copyOf(peers.get().values());
        pending.keySet().retainAll(live);
        for (URI peer : live) {
            LinkedHashMap<String, CounterEntry> queue = pending.computeIfAbsent(peer, p -> new LinkedHashMap<>());
            for (CounterEntry e : changed) {
                queue.remove(e.key()); // keep write order: a re-written entry goes to the back
                queue.put(e.key(), e);
            }
            sendNext(peer);
        }
    }

    private void sendNext(URI peer) {
        LinkedHashMap<String, CounterEntry> queue = pending.get(peer);
        if (queue == null || queue.isEmpty() || pushing.contains(peer)) {
            return;
        }
        List<CounterEntry> batch = new ArrayList<>();
        Iterator<CounterEntry> it = queue.values().iterator();
        String last = null;
        while (it.hasNext()) {
            CounterEntry e = it.next();
            if (batch.size() >= BATCH && !e.partition().equals(last) || batch.size() >= BATCH + BATCH / 2) {
                break;
            }
            batch.add(e);
            last = e.partition();
            it.remove();
        }
        pushing.add(peer);
        transport.push(peer, batch).whenCompleteAsync((ok, failure) -> {
            pushing.remove(peer);
            if (failure != null) {
                LOG.log(System.Logger.Level.DEBUG, () -> counters.self() + ": pushing " + batch.size()
                        + " counter entries to " + peer + " failed (the digest will repair it): " + failure);
            }
            sendNext(peer);
        }, scheduler);
    }

    private void compareDigests() {
        for (Map.Entry<String, URI> live : peers.get().entrySet()) {
            String id = live.getKey();
            URI peer = live.getValue();
            if (!comparing.add(peer)) {
                continue;
            }
            transport.digest(peer).thenComposeAsync(remote -> {
                Map<Integer, BucketDigest> mine = new HashMap<>();
                counters.digests().stream().filter(d -> d.contributor().equals(id))
                        .forEach(d -> mine.put(d.bucket(), d));
                List<java.util.concurrent.CompletableFuture<Void>> pulls = new ArrayList<>();
                for (BucketDigest theirs : remote) {
                    if (!theirs.contributor().equals(id)) {
                        continue; // only the contributor itself can vouch for its entries
                    }
                    if (!theirs.equals(mine.get(theirs.bucket()))) {
                        pulls.add(transport.pull(peer, id, theirs.bucket())
                                .thenAcceptAsync(entries -> merge(id, entries), scheduler));
                    }
                }
                return java.util.concurrent.CompletableFuture.allOf(
                        pulls.toArray(java.util.concurrent.CompletableFuture[]::new));
            }, scheduler).whenCompleteAsync((ok, failure) -> {
                comparing.remove(peer);
                if (failure != null) {
                    LOG.log(System.Logger.Level.DEBUG, () -> counters.self() + ": comparing counter digests with "
                            + peer + " failed: " + failure);
                }
            }, scheduler);
        }
    }

    private void merge(String peer, List<CounterEntry> entries) {
        MergeOutcome outcome = counters.mergeFrom(peer, entries);
        if (!outcome.clean()) {
            counters.refused(REPAIR_ENDPOINT, outcome.first().reason());
            LOG.log(outcome.whole() ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG, () -> counters.self()
                    + ": " + outcome.refused().size() + " of " + entries.size() + " counter entries pulled from "
                    + peer + " refused" + (outcome.whole() ? " (the whole batch)" : "") + "; first: "
                    + outcome.first().describe());
        }
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, counters.self() + ": counter replication task failed", e);
            }
        };
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        transport.close();
    }
}
