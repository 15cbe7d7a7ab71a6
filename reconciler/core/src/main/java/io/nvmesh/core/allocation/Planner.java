package io.nvmesh.core.allocation;

import io.nvmesh.schema.Size;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The pure function the reconciler and {@code nvmesh diff} call: inventory, recorded allocations and desired
 * manifests in, a {@link Plan} out. Same inputs, same plan, byte for byte.
 *
 * <p>Order of work: delete volumes no longer desired (their space frees first); move segments off failed drives
 * (rebuild), off evacuating drives, and out of groups whose separation broke (a drive moved to another target),
 * volumes with higher rebuild priority first; extend grown volumes; create new volumes by name, those with
 * {@code capacity: max} last. Existing extents never move except in a move action.
 *
 * <p>Data is never invented: a segment on a failed drive is rebuilt only while its group keeps enough live copies
 * ({@link LiveCopies}) besides the segments being rebuilt with it. Otherwise it stays where it is, and the plan says
 * why in an unplaceable move; a group whose data is {@linkplain LiveCopies.State#LOST lost} is recreated empty only
 * when the volume's {@value Volume#ACCEPT_DATA_LOSS} annotation names every failed drive of the group. A group without
 * enough live copies changes in no other way: its readable segments are not evacuated or separated either, until it
 * survives again.
 */
public final class Planner {

    /** Candidate drives the chunk search may look at per attempt before it gives up (deterministic, no clock). */
    public static final long DEFAULT_SEARCH_BUDGET = 200_000;

    private Planner() {
    }

    public static Plan plan(Inventory inventory, Allocations recorded, DesiredState desired) {
        return plan(inventory, recorded, desired, DEFAULT_SEARCH_BUDGET);
    }

    public static Plan plan(Inventory inventory, Allocations recorded, DesiredState desired, long searchBudget) {
        return plan(inventory, recorded, desired, searchBudget, true);
    }

    /**
     * @param skipUntouched whether groups that {@link #untouched} clears skip the full repair check; false runs it on
     *        every group (the same plan, slower: tests compare the two)
     */
    static Plan plan(Inventory inventory, Allocations recorded, DesiredState desired, long searchBudget,
            boolean skipUntouched) {
        Workspace ws = new Workspace(inventory, recorded, desired);
        Placement placement = new Placement(ws, searchBudget);
        LiveCopies copies = LiveCopies.of(inventory);
        Map<String, VolumePolicy> policies = new HashMap<>();
        desired.policies().forEach(p -> policies.put(p.name(), p));
        List<Action> actions = new ArrayList<>();

        // Recorded volumes and desired ones are both sorted by name: one walk pairs each recorded volume with its
        // desired manifest (no map of 100,000 names looked up at every step).
        List<Volume> wantedByName = desired.volumes();
        List<VolumeAllocation> kept = new ArrayList<>();
        List<Volume> keptWanted = new ArrayList<>();
        int[] keptAt = new int[recorded.volumes().size()];
        int w = 0;
        int at = -1;
        for (VolumeAllocation v : recorded.volumes()) {
            at++;
            while (w < wantedByName.size() && wantedByName.get(w).name().compareTo(v.volume()) < 0) {
                w++;
            }
            if (w < wantedByName.size() && wantedByName.get(w).name().equals(v.volume())) {
                keptAt[kept.size()] = at;
                kept.add(v);
                keptWanted.add(wantedByName.get(w));
                continue;
            }
            for (Extent e : v.extents()) {
                DriveSpace d = ws.bySerial.get(e.serial());
                if (d != null) {
                    ws.release(d, e.offset(), e.length());
                }
            }
            actions.add(Action.deleted(v));
        }

        // Repairs by rebuild priority, highest first, then by name: kept is in name order and the sort is stable.
        Integer[] byPriority = new Integer[kept.size()];
        boolean oneLevel = true;
        for (int i = 0; i < byPriority.length; i++) {
            byPriority[i] = i;
            oneLevel &= keptWanted.get(i).rebuildPriority() == keptWanted.get(0).rebuildPriority();
        }
        if (!oneLevel) {
            java.util.Arrays.sort(byPriority, Comparator.comparingInt((Integer i) -> -keptWanted.get(i)
                    .rebuildPriority()));
        }
        VolumeAllocation[] current = new VolumeAllocation[kept.size()];
        for (int i : byPriority) {
            VolumeAllocation v = kept.get(i);
            int first = skipUntouched ? ws.firstSegment[keptAt[i]] : -1;
            current[i] = repair(ws, first, copies, placement, v, policies.get(v.policy()),
                    keptWanted.get(i).acceptedDataLoss(), actions);
        }

        for (int i = 0; i < current.length; i++) {
            extend(placement, current[i], keptWanted.get(i), policies, actions);
        }

        List<Volume> fresh = new ArrayList<>();
        int k = 0;
        for (Volume v : wantedByName) {
            if (k < kept.size() && kept.get(k).volume().equals(v.name())) {
                k++;
            } else {
                fresh.add(v);
            }
        }
        List<Volume> creates = fresh.stream()
                .sorted(Comparator.comparing((Volume v) -> v.capacity().max()).thenComparing(Volume::name)).toList();
        for (Volume v : creates) {
            actions.add(create(placement, v, policies));
        }

        CapacityLedger ledger = CapacityLedger.clusterTotals(ws);
        Usage before = ledger.cluster();
        Plan draft = new Plan(actions, before, before);
        ledger.apply(draft);
        return new Plan(actions, before, ledger.cluster());
    }

    /**
     * The largest volume (bytes of data) that the policy could place now, as {@code capacity: max} would; 0 if
     * nothing fits or the policy does not exist. Like {@code capacity: max} it counts at most
     * {@value Placement#MAX_CHUNKS_FOR_MAX} chunks.
     */
    public static long largestVolume(Inventory inventory, Allocations recorded, DesiredState desired, String policy) {
        Optional<VolumePolicy> p = desired.policy(policy);
        if (p.isEmpty()) {
            return 0;
        }
        Workspace ws = new Workspace(inventory, recorded, desired);
        Placement.Result r = new Placement(ws, DEFAULT_SEARCH_BUDGET).place("size a volume", p.get(), 0, true, 0);
        return r.placed() ? r.dataCapacity() : 0;
    }

    /**
     * @param firstSegment where the volume's segments start in {@link Workspace#segmentDrives}; -1: check every group
     *        in full
     * @param accepted drive serials whose lost data the volume's {@value Volume#ACCEPT_DATA_LOSS} annotation accepts
     */
    private static VolumeAllocation repair(Workspace ws, int firstSegment, LiveCopies copies, Placement placement,
            VolumeAllocation v, VolumePolicy p, Set<String> accepted, List<Action> actions) {
        VolumeAllocation now = v;
        int at = firstSegment;
        for (int ci = 0; ci < v.chunks().size(); ci++) { // by index: C1 allocates an iterator per loop
            Chunk chunk = v.chunks().get(ci);
            for (int gi = 0; gi < chunk.groups().size(); gi++) {
                Group group = chunk.groups().get(gi);
                int drivesAt = at;
                at += group.segments().size();
                if (firstSegment >= 0 && untouched(ws, v, group, drivesAt)) {
                    continue;
                }
                TreeMap<Integer, String> pending = new TreeMap<>();
                TreeMap<Integer, String> stuck = new TreeMap<>();
                Set<Integer> onFailed = new TreeSet<>();
                for (Segment s : group.segments()) {
                    if (copies.failed(s.extent().serial())) {
                        onFailed.add(s.index());
                    }
                }
                LiveCopies.State state = copies.state(group);
                boolean recreate = !onFailed.isEmpty() && state == LiveCopies.State.LOST
                        && accepted.containsAll(copies.failedDrives(group));
                List<String> targets = new ArrayList<>();
                List<String> domains = v.domainScope() == null ? null : new ArrayList<>();
                for (Segment s : group.segments()) {
                    String serial = s.extent().serial();
                    DriveSpace d = ws.bySerial.get(serial);
                    if (onFailed.contains(s.index())) {
                        if (copies.rebuildable(group, s.index(), onFailed)) {
                            pending.put(s.index(), "rebuild: drive " + serial + " failed");
                        } else if (recreate) {
                            pending.put(s.index(), "recreate empty: data loss on drive " + serial
                                    + " accepted by annotation " + Volume.ACCEPT_DATA_LOSS);
                        } else {
                            stuck.put(s.index(), unrebuildable(copies, v, chunk, group, s));
                        }
                    } else if (d != null && ws.evacuating.contains(serial)) {
                        String cause = "evacuate drive " + serial;
                        if (state == LiveCopies.State.SURVIVES) {
                            pending.put(s.index(), cause);
                        } else {
                            stuck.put(s.index(), frozen(copies, v, chunk, group, s, cause));
                        }
                    }
                    boolean counted = d != null && !pending.containsKey(s.index()) && !stuck.containsKey(s.index());
                    targets.add(counted ? d.target.id() : null);
                    if (domains != null) {
                        domains.add(counted ? Separation.domain(d.target, d.drive, v.domainScope()) : null);
                    }
                }
                int tolerance = (int) group.segments().stream().filter(s -> s.role().redundant()).count();
                int limit = Separation.limit(v.protection(), group.segments().size(), tolerance);
                for (int i : Separation.offenders(targets, domains, limit)) {
                    String serial = group.segments().get(i).extent().serial();
                    String place = limit < count(targets, targets.get(i)) ? "target " + targets.get(i)
                            : v.domainScope() + " " + domains.get(i);
                    String cause = "separation: drive " + serial + " is now on target " + targets.get(i) + " and "
                            + place + " holds more than " + limit + " segment" + (limit == 1 ? "" : "s")
                            + " of the group";
                    if (state == LiveCopies.State.SURVIVES) {
                        pending.put(i, cause);
                    } else {
                        stuck.put(i, frozen(copies, v, chunk, group, group.segments().get(i), cause));
                    }
                }
                TreeSet<Integer> left = new TreeSet<>(pending.keySet());
                TreeSet<Integer> positions = new TreeSet<>(pending.keySet());
                positions.addAll(stuck.keySet());
                for (int i : positions) {
                    if (stuck.containsKey(i)) {
                        Segment seg = group.segments().get(i);
                        actions.add(Action.moved(v.volume(), v.size(), new SegmentMove(chunk.index(), group.index(),
                                i, seg.role(), seg.extent(), null, stuck.get(i), group.dataShare(i))));
                        continue;
                    }
                    left.remove(i);
                    SegmentMove m = placement.move(now, p, chunk.index(), group.index(), i, left, pending.get(i));
                    actions.add(Action.moved(v.volume(), v.size(), m));
                    if (m.to() != null) {
                        now = now.withSegment(chunk.index(), group.index(), i, m.to());
                    }
                }
            }
        }
        return now;
    }

    /**
     * Whether the group needs no move, as the full check below would find: no segment on a failed or evacuating drive,
     * and no target or domain holding more of its segments than its separation allows. Most groups of a large state,
     * on every pass; this answers without the maps and lists the full check builds for a group that does move.
     * {@code drivesAt}: where the group's segments' drives are in {@link Workspace#segmentDrives}.
     */
    private static boolean untouched(Workspace ws, VolumeAllocation v, Group group, int drivesAt) {
        List<Segment> segments = group.segments();
        int n = segments.size();
        // Targets by index and domains by id: equal exactly when their ids and domain values are equal.
        int[] targets = new int[n];
        int[] domainIds = v.domainScope() == null ? null : ws.domainIds(v.domainScope());
        int[] domains = domainIds == null ? null : new int[n];
        boolean evacuations = !ws.evacuating.isEmpty();
        int tolerance = 0;
        for (int i = 0; i < n; i++) {
            Segment s = segments.get(i);
            tolerance += s.role().redundant() ? 1 : 0;
            String serial = s.extent().serial();
            DriveSpace d = ws.segmentDrives[drivesAt + i];
            if (d == null) {
                // Not in the inventory: neither failed nor counted for separation.
                targets[i] = -1;
                if (domains != null) {
                    domains[i] = -1;
                }
                continue;
            }
            if (d.failed || evacuations && ws.evacuating.contains(serial)) {
                return false;
            }
            targets[i] = d.targetIndex;
            if (domains != null) {
                domains[i] = domainIds[d.index];
            }
        }
        int limit = Separation.limit(v.protection(), n, tolerance);
        return withinLimit(targets, limit) && (domains == null || withinLimit(domains, limit));
    }

    /** Whether no key but -1 occurs more than {@code limit} times (groups are a few segments: pairwise is cheapest). */
    private static boolean withinLimit(int[] keys, int limit) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] < 0) {
                continue;
            }
            int seen = 1;
            for (int j = 0; j < i; j++) {
                if (keys[i] == keys[j] && ++seen > limit) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Why a segment on a failed drive stays where it is: its group has no live copy (or, erasure coded, too few live
     * segments) to rebuild it from. A new segment there would be blank, and reported online it would hand out zeros
     * for data; so it waits for a missing drive to come back, or for a person to accept the loss.
     */
    private static String unrebuildable(LiveCopies copies, VolumeAllocation v, Chunk chunk, Group group, Segment s) {
        String serial = s.extent().serial();
        int needed = LiveCopies.needed(group);
        String why = needed == 1 ? "no live copy is left in its group to rebuild it from"
                : "fewer than the " + needed + " live segments needed to rebuild it are left in its group";
        String then;
        if (copies.state(group) == LiveCopies.State.UNAVAILABLE) {
            List<String> missing = copies.missingDrives(group);
            then = "; nothing is rebuilt while waiting for drive" + (missing.size() == 1 ? " " : "s ")
                    + String.join(", ", missing) + " (missing) to reappear";
        } else {
            then = "; the data is lost, and nothing is placed until the annotation " + Volume.ACCEPT_DATA_LOSS + ": "
                    + String.join(",", copies.failedDrives(group)) + " accepts the loss";
        }
        return "cannot rebuild segment " + s.index() + " of group " + group.index() + " in chunk " + chunk.index()
                + " of volume " + v.volume() + " off drive " + serial + " (drive " + serial + " failed): " + why + then;
    }

    /**
     * Why a readable segment of a group without enough live copies does not move (evacuation, separation): such a
     * group changes only by an accepted recreate, so what is left of it stays put for whoever reads it back, and a
     * state writer can tell every change to it from invented data (safety invariant 4). It moves once the group
     * survives again: a missing drive came back, or its lost segments were recreated.
     */
    private static String frozen(LiveCopies copies, VolumeAllocation v, Chunk chunk, Group group, Segment s,
            String cause) {
        String why = copies.state(group) == LiveCopies.State.LOST
                ? "its group lost its data (drive" + (copies.failedDrives(group).size() == 1 ? " " : "s ")
                        + String.join(", ", copies.failedDrives(group)) + " failed), so its segments stay where they"
                        + " are until the annotation " + Volume.ACCEPT_DATA_LOSS + ": "
                        + String.join(",", copies.failedDrives(group)) + " accepts the loss"
                : "its group has too few live copies and waits for drive" + (copies.missingDrives(group).size() == 1
                        ? " " : "s ") + String.join(", ", copies.missingDrives(group)) + " (missing) to reappear; its"
                        + " segments stay where they are meanwhile";
        return "cannot move segment " + s.index() + " of group " + group.index() + " in chunk " + chunk.index()
                + " of volume " + v.volume() + " off drive " + s.extent().serial() + " (" + cause + "): " + why;
    }

    private static int count(List<String> keys, String key) {
        return (int) keys.stream().filter(key::equals).count();
    }

    private static void extend(Placement placement, VolumeAllocation v, Volume w, Map<String, VolumePolicy> policies,
            List<Action> actions) {
        String name = v.volume();
        if (!w.policy().equals(v.policy())) {
            actions.add(Action.unplaceable(ActionKind.EXTEND, name, v.size(), v.size(), "volume " + name
                    + " was placed with policy " + v.policy() + "; moving it to policy " + w.policy()
                    + " is not supported"));
            return;
        }
        if (w.capacity().max()) {
            return;
        }
        long want = w.capacity().size().bytes();
        if (want == v.size()) {
            return;
        }
        if (want < v.size()) {
            actions.add(Action.unplaceable(ActionKind.EXTEND, name, v.size(), want, "cannot shrink volume " + name
                    + " from " + Size.ofBytes(v.size()).human() + " to " + Size.ofBytes(want).human()
                    + ": volumes only grow"));
            return;
        }
        long placed = v.placedCapacity();
        if (want <= placed) {
            actions.add(Action.extended(name, v.size(), want, List.of()));
            return;
        }
        Optional<VolumePolicy> p = Optional.ofNullable(policies.get(v.policy()));
        if (p.isEmpty() || p.get().layout() != v.layout()) {
            actions.add(Action.unplaceable(ActionKind.EXTEND, name, v.size(), want, "cannot extend volume " + name
                    + ": policy " + v.policy() + (p.isEmpty() ? " no longer exists" : " changed its layout from "
                    + v.layout() + " to " + p.get().layout())));
            return;
        }
        Placement.Result r = placement.place("extend volume " + name + " by " + Size.ofBytes(want - placed).human(),
                p.get(), want - placed, false, v.chunks().size());
        actions.add(r.placed() ? Action.extended(name, v.size(), want, r.chunks())
                : Action.unplaceable(ActionKind.EXTEND, name, v.size(), want, r.reason()));
    }

    private static Action create(Placement placement, Volume v, Map<String, VolumePolicy> policies) {
        long want = v.capacity().max() ? 0 : v.capacity().size().bytes();
        Optional<VolumePolicy> p = Optional.ofNullable(policies.get(v.policy()));
        if (p.isEmpty()) {
            return Action.unplaceable(ActionKind.CREATE, v.name(), 0, want, "cannot place volume " + v.name()
                    + ": policy " + v.policy() + " does not exist");
        }
        VolumePolicy policy = p.get();
        Placement.Result r = placement.place("place volume " + v.name(), policy, want, v.capacity().max(), 0);
        if (!r.placed()) {
            return Action.unplaceable(ActionKind.CREATE, v.name(), 0, want, r.reason());
        }
        long size = v.capacity().max() ? r.dataCapacity() : want;
        return Action.created(new VolumeAllocation(v.name(), policy.name(), policy.layout(), policy.protection(),
                policy.domainScope(), size, r.chunks()));
    }
}
