package io.nvmesh.core.allocation;

import io.nvmesh.schema.DriveClass;
import io.nvmesh.schema.DriveIntent;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Capacity counters kept by deltas: a plan moves bytes between free, data and redundant; an inventory change
 * moves a drive's bytes between usable, withheld and offline. Every total is then read in O(1). {@link
 * #recompute} builds the same counters from scratch; the two must always agree.
 *
 * <p>A segment counts as data and redundant as {@link Group#dataShare} splits it: whole for mirrors, k:m for every
 * segment of an erasure-coded group, so a target's figures are what it holds of each, and the cluster's data is
 * still exactly k × length per group while all its drives are online.
 *
 * <p>Failure domains counted are {@code rack}, {@code zone}, every policy's domain scope and every class's
 * domain keys. Not thread-safe: one owner updates it.
 */
public final class CapacityLedger {

    static final List<String> DEFAULT_DOMAIN_KEYS = List.of("rack", "zone");

    private enum State { OPEN, WITHHELD, OFFLINE }

    /** Where a drive's bytes count. Compared whole, so an inventory change is applied only to drives it touches. */
    private record Place(long capacity, State state, String target, List<String> domains, List<String> classes) {
    }

    private static final class Tally {
        Place place;
        long data;
        long redundant;

        Usage contribution() {
            if (place == null) {
                return Usage.ZERO;
            }
            long cap = place.capacity();
            long used = data + redundant;
            return switch (place.state()) {
                case OPEN -> new Usage(cap, cap - used, data, redundant, 0, 0);
                case WITHHELD -> new Usage(cap, 0, data, redundant, cap - used, 0);
                case OFFLINE -> new Usage(cap, 0, 0, 0, 0, cap);
            };
        }
    }

    private final Map<String, Tally> tallies = new HashMap<>();
    /**
     * For a ledger of cluster totals over a planner's workspace: where a drive's tally comes from when first touched.
     * Null once every tally is in {@link #tallies}.
     */
    private Workspace source;
    /** The source's drives closed to new extents. */
    private Set<String> sourceClosed;
    private final Map<String, Usage> byTarget = new HashMap<>();
    private final Map<String, Usage> byDomain = new HashMap<>();
    private final Map<String, Usage> byClass = new HashMap<>();
    private Usage cluster = Usage.ZERO;
    /** False for a ledger of cluster totals only: no per-target, domain or class counters. */
    private final boolean detailed;

    private CapacityLedger(boolean detailed) {
        this.detailed = detailed;
    }

    /** Counters computed from nothing but the inventory, the recorded extents and the desired manifests. */
    public static CapacityLedger recompute(Inventory inventory, Allocations recorded, DesiredState desired) {
        return recompute(inventory, recorded, desired, true);
    }

    /**
     * Only the cluster totals, as {@link #recompute} counts them: what a plan reports before and after. On 24,000
     * drives the per-target, domain and class counters were most of the recount's time, and a plan shows none.
     * {@link #target}, {@link #domain}, {@link #driveClass} and {@link #report} refuse on such a ledger.
     */
    static CapacityLedger clusterTotals(Inventory inventory, Allocations recorded, DesiredState desired) {
        return recompute(inventory, recorded, desired, false);
    }

    /**
     * The cluster totals {@link #clusterTotals(Inventory, Allocations, DesiredState)} counts for the workspace's
     * inventory, desired manifests and the recorded allocations it was built from, out of the per-drive sums the
     * workspace made while reserving them. A tally is made only for a drive a plan touches: a plan that changes little
     * costs little, where the recount made 120,000 tallies and looked one up per segment (600,000) every pass.
     */
    static CapacityLedger clusterTotals(Workspace ws) {
        CapacityLedger ledger = new CapacityLedger(false);
        Set<String> closed = closed(ws.desired);
        long total = 0;
        long free = 0;
        long data = 0;
        long redundant = 0;
        long withheld = 0;
        long offline = 0;
        for (DriveSpace d : ws.drives) {
            long cap = d.drive.usableCapacity();
            long dd = ws.recordedData[d.index];
            long dr = ws.recordedRedundant[d.index];
            total += cap;
            switch (state(d.target, d.drive, closed)) {
                case OPEN -> {
                    free += cap - dd - dr;
                    data += dd;
                    redundant += dr;
                }
                case WITHHELD -> {
                    data += dd;
                    redundant += dr;
                    withheld += cap - dd - dr;
                }
                case OFFLINE -> offline += cap;
            }
        }
        ledger.cluster = new Usage(total, free, data, redundant, withheld, offline);
        ledger.source = ws;
        ledger.sourceClosed = closed;
        return ledger;
    }

    /** A drive's tally as the workspace's recorded state has it, made when first touched. */
    private Tally tally(String serial) {
        Tally t = tallies.get(serial);
        if (t == null) {
            t = new Tally();
            if (source != null) {
                DriveSpace d = source.bySerial.get(serial);
                if (d != null) {
                    t.place = new Place(d.drive.usableCapacity(), state(d.target, d.drive, sourceClosed),
                            d.target.id(), List.of(), List.of());
                    t.data = source.recordedData[d.index];
                    t.redundant = source.recordedRedundant[d.index];
                } else if (source.offInventory.containsKey(serial)) {
                    t.data = source.offInventory.get(serial)[0];
                    t.redundant = source.offInventory.get(serial)[1];
                }
            }
            tallies.put(serial, t);
        }
        return t;
    }

    /** Makes every tally a workspace ledger has not made yet, so that the map holds them all. */
    private void materialize() {
        if (source == null) {
            return;
        }
        for (DriveSpace d : source.drives) {
            tally(d.serial);
        }
        source.offInventory.keySet().forEach(this::tally);
        source = null;
    }

    private static State state(Target t, Drive d, Set<String> closed) {
        return !d.health().online() ? State.OFFLINE
                : d.health() == DriveHealth.OK && t.health() == TargetHealth.HEALTHY
                        && !closed.contains(d.serial()) ? State.OPEN : State.WITHHELD;
    }

    private static Set<String> closed(DesiredState desired) {
        Set<String> closed = new HashSet<>();
        for (DriveIntent i : desired.driveIntents()) {
            if (i.closedToNewExtents()) {
                closed.add(i.serial());
            }
        }
        return closed;
    }

    private static CapacityLedger recompute(Inventory inventory, Allocations recorded, DesiredState desired,
            boolean detailed) {
        CapacityLedger ledger = new CapacityLedger(detailed);
        for (VolumeAllocation v : recorded.volumes()) {
            for (Chunk c : v.chunks()) {
                for (Group g : c.groups()) {
                    for (Segment s : g.segments()) {
                        Tally t = ledger.tallies.computeIfAbsent(s.extent().serial(), k -> new Tally());
                        long data = g.dataShare(s.index());
                        t.data += data;
                        t.redundant += s.extent().length() - data;
                    }
                }
            }
        }
        Map<String, Place> places = places(inventory, desired, detailed);
        for (Map.Entry<String, Place> e : places.entrySet()) {
            ledger.tallies.computeIfAbsent(e.getKey(), k -> new Tally()).place = e.getValue();
        }
        for (Tally t : ledger.tallies.values()) {
            ledger.add(t);
        }
        return ledger;
    }

    /** Applies a plan's placed actions: their extents move bytes between free and allocated. */
    public void apply(Plan plan) {
        for (Action a : plan.actions()) {
            if (a.outcome() != Outcome.PLACED) {
                continue;
            }
            switch (a.kind()) {
                case CREATE -> change(a.allocation().chunks(), 1);
                case EXTEND -> change(a.chunks(), 1);
                case DELETE -> change(a.allocation().chunks(), -1);
                case MOVE -> {
                    SegmentMove m = a.move();
                    change(m.from(), m.dataShare(), -1);
                    change(m.to(), m.dataShare(), 1);
                }
            }
        }
    }

    /** Follows a new inventory or new drive intents, touching the counters of changed drives only. */
    public void update(Inventory inventory, DesiredState desired) {
        materialize();
        Map<String, Place> places = places(inventory, desired, detailed);
        for (Map.Entry<String, Tally> e : tallies.entrySet()) {
            Place now = places.remove(e.getKey());
            Tally t = e.getValue();
            if (!Objects.equals(now, t.place)) {
                subtract(t);
                t.place = now;
                add(t);
            }
        }
        for (Map.Entry<String, Place> e : places.entrySet()) {
            Tally t = new Tally();
            t.place = e.getValue();
            tallies.put(e.getKey(), t);
            add(t);
        }
    }

    public Usage cluster() {
        return cluster;
    }

    public Usage target(String id) {
        requireDetail();
        return byTarget.getOrDefault(id, Usage.ZERO);
    }

    /** Usage of a failure domain, e.g. {@code domain("rack", "r1")}. */
    public Usage domain(String key, String value) {
        requireDetail();
        return byDomain.getOrDefault(key + "=" + value, Usage.ZERO);
    }

    public Usage driveClass(String name) {
        requireDetail();
        return byClass.getOrDefault(name, Usage.ZERO);
    }

    /** A snapshot of every counter, maps sorted by key. */
    public CapacityReport report() {
        requireDetail();
        return new CapacityReport(cluster, byTarget, byDomain, byClass);
    }

    private void requireDetail() {
        if (!detailed) {
            throw new IllegalStateException("this ledger counts cluster totals only");
        }
    }

    private void change(List<Chunk> chunks, int sign) {
        for (Chunk c : chunks) {
            for (Group g : c.groups()) {
                for (Segment s : g.segments()) {
                    change(s.extent(), g.dataShare(s.index()), sign);
                }
            }
        }
    }

    /** Adds ({@code sign} 1) or takes away (-1) an extent holding {@code data} bytes of data, the rest redundant. */
    private void change(Extent e, long data, int sign) {
        Tally t = tally(e.serial());
        subtract(t);
        t.data += sign * data;
        t.redundant += sign * (e.length() - data);
        add(t);
    }

    private void add(Tally t) {
        shift(t, t.contribution(), true);
    }

    private void subtract(Tally t) {
        shift(t, t.contribution(), false);
    }

    private void shift(Tally t, Usage u, boolean plus) {
        if (t.place == null) {
            return;
        }
        cluster = plus ? cluster.plus(u) : cluster.minus(u);
        if (!detailed) {
            return;
        }
        bump(byTarget, t.place.target(), u, plus);
        for (String d : t.place.domains()) {
            bump(byDomain, d, u, plus);
        }
        for (String c : t.place.classes()) {
            bump(byClass, c, u, plus);
        }
    }

    private static void bump(Map<String, Usage> map, String key, Usage u, boolean plus) {
        Usage old = map.getOrDefault(key, Usage.ZERO);
        Usage now = plus ? old.plus(u) : old.minus(u);
        if (now.equals(Usage.ZERO)) {
            map.remove(key);
        } else {
            map.put(key, now);
        }
    }

    private static Map<String, Place> places(Inventory inventory, DesiredState desired, boolean detailed) {
        Set<String> keys = new TreeSet<>(DEFAULT_DOMAIN_KEYS);
        for (VolumePolicy p : desired.policies()) {
            if (p.domainScope() != null) {
                keys.add(p.domainScope());
            }
        }
        desired.driveClasses().forEach(c -> keys.addAll(c.domains()));
        desired.targetClasses().forEach(c -> keys.addAll(c.domains()));
        Set<String> closed = closed(desired);
        Map<String, Place> out = new HashMap<>();
        Map<Map<String, String>, List<String>> classesByLabels = new HashMap<>();
        for (Target t : inventory.targets()) {
            for (Drive d : t.drives()) {
                State state = state(t, d, closed);
                if (!detailed) {
                    out.put(d.serial(), new Place(d.usableCapacity(), state, t.id(), List.of(), List.of()));
                    continue;
                }
                List<String> domains = new ArrayList<>();
                for (String k : keys) {
                    String v = t.domainOf(d, k);
                    if (v != null) {
                        domains.add(k + "=" + v);
                    }
                }
                // Drives share label sets (model, media ...): match every class once per distinct set, not per
                // drive (24,000 drives x 100 classes was a fifth of a 10,000-volume diff).
                List<String> classes = classesByLabels.computeIfAbsent(d.labels(), labels -> {
                    List<String> matched = new ArrayList<>();
                    for (DriveClass c : desired.driveClasses()) {
                        if (c.selector().matches(labels)) {
                            matched.add(c.name());
                        }
                    }
                    return List.copyOf(matched);
                });
                out.put(d.serial(), new Place(d.usableCapacity(), state, t.id(), List.copyOf(domains), classes));
            }
        }
        return out;
    }
}
