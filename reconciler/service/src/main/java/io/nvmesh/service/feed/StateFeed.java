package io.nvmesh.service.feed;

import io.nvmesh.api.VolumeStatusJson;
import io.nvmesh.core.allocation.Allocations;
import io.nvmesh.core.allocation.Client;
import io.nvmesh.core.allocation.DesiredState;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.service.cluster.Ownership;
import io.nvmesh.service.counters.CounterDelta;
import io.nvmesh.service.counters.CounterDeltas;
import io.nvmesh.service.counters.Counters;
import io.nvmesh.service.counters.PartitionState;
import io.nvmesh.service.events.EventHub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Feeds the counters from the recorded states this instance observes and from the live state of the clients
 * connected here, and publishes {@code volume/<name>} events for the volumes it owns.
 *
 * <p><b>Versions.</b> Every change of what this instance knows (a newer recorded state, a client that connected or was
 * lost) makes a new immutable {@link View} whose version is one more than the previous one: a per-incarnation
 * sequence, bumped under the feed's lock. The view is published before the deltas of that version are applied,
 * and the counters' {@link io.nvmesh.service.counters.ContributionSource} reads the latest published view, so a
 * delta of version {@code v} is only ever delivered once the state of version {@code v} is readable, as
 * {@link Counters#apply} requires. A new incarnation starts again from 1: its counters own nothing until they take
 * their partitions over, from the views of this incarnation.
 *
 * <p><b>Deltas.</b> The deltas of a change are the difference, for each partition the change touches, between its
 * contribution in the old view and in the new one: a target whose record changed or whose drives gained or lost
 * extents (the ledger over that one target), a volume whose status changed, a client that appeared, vanished or
 * connected. Every instance derives them from the commits it observes, including other instances' commits: the
 * plan of a commit is known only to the instance that made it, while the targets it touches are owned elsewhere.
 */
public final class StateFeed implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(StateFeed.class.getName());

    private final String self;
    private final Counters counters;
    private final EventHub events;
    private final Supplier<Ownership> ownership;
    private volatile View view = View.EMPTY;
    /** Guarded by this: whether the counters were given their source. */
    private boolean sourced;
    private volatile boolean closed;

    public StateFeed(String self, Counters counters, EventHub events, Supplier<Ownership> ownership) {
        this.self = Objects.requireNonNull(self, "self");
        this.counters = Objects.requireNonNull(counters, "counters");
        this.events = Objects.requireNonNull(events, "events");
        this.ownership = Objects.requireNonNull(ownership, "ownership");
    }

    /**
     * A recorded state the reconcile loop observed (its listener). Done on the loop's thread before the loop gives
     * ownership the keys of that state, so that a partition taken over or retracted because of those keys is read
     * from this state, never from an older one.
     */
    public synchronized void observed(RecordedState state, DesiredState desired) {
        if (!closed) {
            advance(state, desired);
        }
    }

    /** A client connected here ({@code connected}) or its agent went away ({@code lost}); null forgets it. */
    public synchronized void clientState(String client, String state) {
        if (closed) {
            return;
        }
        View old = view;
        Map<String, String> clients = new HashMap<>(old.clients);
        if (state == null) {
            clients.remove(client);
        } else {
            clients.put(client, state);
        }
        if (!clients.equals(old.clients)) {
            feed(old, old.with(clients), Set.of(CounterDeltas.clientPartition(client)));
        }
    }

    /** The {@code volume/<name>} status payload as last observed here, or null for a volume not recorded. */
    public VolumeStatusJson volumeSnapshot(String volume) {
        View v = view;
        VolumeRecord r = v.recorded.volumes().get(volume);
        return r == null ? null : volumePayload(volume, r.status().wireName(), r.reason(), v.recorded.commitId());
    }

    /** The latest view's version (tests). */
    long version() {
        return view.version;
    }

    private void advance(RecordedState state, DesiredState desired) {
        View old = view;
        boolean ledgerChanged = !sameLedger(old.desired, desired);
        if (old.recorded.commitId().equals(state.commitId()) && !ledgerChanged) {
            return;
        }
        View next = new View(old.version + 1, state, desired, old.clients);
        feed(old, next, touched(old, next, ledgerChanged));
        Set<String> nodes = new HashSet<>();
        next.targets.keySet().forEach(t -> nodes.add(CounterDeltas.targetPartition(t)));
        next.clientIds.forEach(c -> nodes.add(CounterDeltas.clientPartition(c)));
        counters.contributeAlso(nodes);
        volumeEvents(old, next);
        if (!sourced) {
            sourced = true;
            if (counters.needsRebuild()) {
                counters.rebuild(next::contributions);
            }
            counters.contributeFrom(partition -> {
                View v = view;
                return new PartitionState(v.version, v.contribution(partition));
            });
        }
    }

    /** With the feed's lock: publish the view, then apply its deltas to the partitions the counters hold now. */
    private void feed(View old, View next, Set<String> touched) {
        view = next;
        // Read after publishing the view: a partition taken over from now on reads the new view, so skipping it is
        // right; one held now gets its delta.
        Set<String> held = counters.contributing();
        List<CounterDelta> deltas = new ArrayList<>();
        for (String p : touched) {
            if (held.contains(p)) {
                deltas.addAll(CounterDeltas.difference(p, old.contribution(p), next.contribution(p)));
            }
        }
        counters.apply(next.version, deltas);
        // A partition the counters let go of before this view was published (a deleted volume whose key vanished)
        // is retracted from the view they read now.
        counters.ownershipChanged();
    }

    private static Set<String> touched(View old, View next, boolean ledgerChanged) {
        Set<String> out = new TreeSet<>();
        Set<String> targets = new HashSet<>(old.targets.keySet());
        targets.addAll(next.targets.keySet());
        for (String t : targets) {
            if (ledgerChanged || !Objects.equals(old.targets.get(t), next.targets.get(t))) {
                out.add(CounterDeltas.targetPartition(t));
            }
        }
        Set<String> volumes = new HashSet<>(old.recorded.volumes().keySet());
        volumes.addAll(next.recorded.volumes().keySet());
        for (String name : volumes) {
            VolumeRecord a = old.recorded.volumes().get(name);
            VolumeRecord b = next.recorded.volumes().get(name);
            if (Objects.equals(a, b)) {
                continue;
            }
            if (a == null || b == null || a.status() != b.status()) {
                out.add(CounterDeltas.volumePartition(name));
            }
            if (a == null || b == null || !a.allocation().equals(b.allocation())) {
                old.targetsOf(a, out);
                next.targetsOf(b, out);
            }
        }
        Set<String> clients = new HashSet<>(old.clientIds);
        clients.addAll(next.clientIds);
        for (String c : clients) {
            if (old.clientIds.contains(c) != next.clientIds.contains(c)
                    || !Objects.equals(old.clients.get(c), next.clients.get(c))) {
                out.add(CounterDeltas.clientPartition(c));
            }
        }
        return out;
    }

    /** The volumes whose recorded status or placement changed, published by their owner. */
    private void volumeEvents(View old, View next) {
        Set<String> volumes = new TreeSet<>(old.recorded.volumes().keySet());
        volumes.addAll(next.recorded.volumes().keySet());
        Ownership own = ownership.get();
        for (String name : volumes) {
            VolumeRecord a = old.recorded.volumes().get(name);
            VolumeRecord b = next.recorded.volumes().get(name);
            if (Objects.equals(a, b) || !self.equals(own.ownerOrPreferred(CounterDeltas.volumePartition(name)))) {
                continue;
            }
            if (a != null && b != null && a.status() == b.status() && a.reason().equals(b.reason())
                    && a.allocation().equals(b.allocation())) {
                continue; // only the deletion protection or policy fingerprint changed
            }
            VolumeStatusJson payload = b == null
                    ? volumePayload(name, "deleted", "", next.recorded.commitId())
                    : volumePayload(name, b.status().wireName(), b.reason(), next.recorded.commitId());
            try {
                events.publish(CounterDeltas.volumePartition(name), "status", payload);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, () -> self + ": cannot publish the status of " + name + ": " + e);
            }
        }
    }

    static VolumeStatusJson volumePayload(String volume, String status, String reason, String stateCommit) {
        return new VolumeStatusJson(volume, status, reason, stateCommit);
    }

    /** Whether two desired states give every target the same ledger (domains, classes, drive intents). */
    private static boolean sameLedger(DesiredState a, DesiredState b) {
        return a.policies().equals(b.policies()) && a.driveClasses().equals(b.driveClasses())
                && a.targetClasses().equals(b.targetClasses()) && a.driveIntents().equals(b.driveIntents());
    }

    @Override
    public void close() {
        closed = true;
    }

    /** What this instance knows at one version: immutable, read by the counters' source from any thread. */
    static final class View {

        static final View EMPTY = new View(0, RecordedState.empty(), DesiredState.of(List.of(), List.of()), Map.of());

        final long version;
        final RecordedState recorded;
        final DesiredState desired;
        /** Live state of the clients connected here (or lost here); a recorded client not in it is {@code lost}. */
        final Map<String, String> clients;
        final Map<String, Target> targets = new HashMap<>();
        final Map<String, String> targetOfSerial = new HashMap<>();
        final Set<String> clientIds = new HashSet<>();
        private volatile Map<String, List<VolumeAllocation>> byTarget;

        View(long version, RecordedState recorded, DesiredState desired, Map<String, String> clients) {
            this.version = version;
            this.recorded = recorded;
            this.desired = desired;
            this.clients = Map.copyOf(clients);
            for (Target t : recorded.inventory().targets()) {
                targets.put(t.id(), t);
                t.drives().forEach(d -> targetOfSerial.put(d.serial(), t.id()));
            }
            recorded.inventory().clients().stream().map(Client::id).forEach(clientIds::add);
        }

        View with(Map<String, String> newClients) {
            View v = new View(version + 1, recorded, desired, newClients);
            v.byTarget = byTarget;
            return v;
        }

        /** The partition's whole contribution in this view; empty for a partition that is not (or no longer) known. */
        Map<String, Long> contribution(String partition) {
            int slash = partition.indexOf('/');
            String space = partition.substring(0, Math.max(0, slash));
            String name = partition.substring(slash + 1);
            switch (space) {
                case "target" -> {
                    Target t = targets.get(name);
                    return t == null ? Map.of()
                            : CounterDeltas.ofTarget(t, new Allocations(byTarget().getOrDefault(name, List.of())),
                            desired);
                }
                case "volume" -> {
                    VolumeRecord r = recorded.volumes().get(name);
                    return r == null ? Map.of() : CounterDeltas.ofVolume(r.status().wireName());
                }
                case "client" -> {
                    return clientIds.contains(name) ? CounterDeltas.ofClient(clientState(name)) : Map.of();
                }
                default -> {
                    return Map.of();
                }
            }
        }

        String clientState(String client) {
            return clients.getOrDefault(client, "lost");
        }

        /** Every partition's contribution: the full recomputation, for rebuilding a lost counter file. */
        Map<String, Map<String, Long>> contributions() {
            Map<String, String> statuses = new HashMap<>();
            recorded.volumes().forEach((n, r) -> statuses.put(n, r.status().wireName()));
            return CounterDeltas.contributions(recorded.inventory(), recorded.allocations(), desired, statuses,
                    this::clientState);
        }

        /** Adds the target partitions the record's extents sit on in this view. */
        void targetsOf(VolumeRecord r, Set<String> into) {
            if (r == null || r.allocation().isEmpty()) {
                return;
            }
            for (Extent e : r.allocation().get().extents()) {
                String t = targetOfSerial.get(e.serial());
                if (t != null) {
                    into.add(CounterDeltas.targetPartition(t));
                }
            }
        }

        /** Allocations by the targets they touch, built once per view when first needed. */
        private Map<String, List<VolumeAllocation>> byTarget() {
            Map<String, List<VolumeAllocation>> index = byTarget;
            if (index == null) {
                index = new HashMap<>();
                for (VolumeAllocation v : recorded.allocations().volumes()) {
                    Set<String> touched = new HashSet<>();
                    for (Extent e : v.extents()) {
                        String t = targetOfSerial.get(e.serial());
                        if (t != null && touched.add(t)) {
                            index.computeIfAbsent(t, k -> new ArrayList<>()).add(v);
                        }
                    }
                }
                byTarget = index;
            }
            return index;
        }
    }
}
