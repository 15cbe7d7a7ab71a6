package io.nvmesh.core.reconcile;

import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.HeldExtent;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.Release;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.schema.Capacity;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The first step of a pass ({@link Reconciliation}): what each recorded volume brings to the planner. A volume the pass
 * owns is an allocation the planner may change. Space the planner must leave exactly as it is, because another owner
 * decides about it or because the volume is deleting, is {@linkplain #fixed() fixed}: the planner places nothing
 * there, and it never moves, extends or deletes what it is not shown (a move would free the old extent, and a dropped
 * move must not free space for an owned create). Owned volumes removed from desired that must stay, a protected one
 * (blocked) or one its targets are still setting up, are added to the planner's desired view as they are.
 */
final class RecordedVolumes {

    private final Map<String, Volume> wanted;
    private final Predicate<String> owns;
    /** Null in a preview: holds are not judged, nothing is deleting. */
    private final Release release;
    /** The generation this pass records, from which holds it starts are counted. */
    private final long since;

    private final List<VolumeAllocation> changeable = new ArrayList<>();
    private final List<VolumeAllocation> pinned = new ArrayList<>();
    private final List<Extent> held = new ArrayList<>();
    private final List<Volume> kept = new ArrayList<>();
    private final SortedSet<String> keptPolicies = new TreeSet<>();
    private final List<String> blocked = new ArrayList<>();
    private final Map<String, List<HeldExtent>> stillHeld = new TreeMap<>();
    private final Map<String, List<HeldExtent>> deleting = new TreeMap<>();
    private final Map<String, String> waits = new TreeMap<>();

    private RecordedVolumes(Map<String, Volume> wanted, Predicate<String> owns, Release release, long since) {
        this.wanted = wanted;
        this.owns = owns;
        this.release = release;
        this.since = since;
    }

    /**
     * @param wanted the desired volumes by name
     * @param release what the targets released, or null in a preview (which judges no holds and deletes at once)
     */
    static RecordedVolumes read(RecordedState recorded, Map<String, Volume> wanted, Predicate<String> owns,
            Release release) {
        RecordedVolumes out = new RecordedVolumes(wanted, owns, release, recorded.generation() + 1);
        recorded.volumes().values().forEach(out::add);
        return out;
    }

    private void add(VolumeRecord r) {
        boolean owned = owns.test(r.name());
        // Space a volume no longer uses stays held until nothing can serve it (Release); what is released now is
        // dropped from the records, and what is still held is space the planner must leave alone.
        List<HeldExtent> keep = owned && release != null
                ? r.releasing().stream().filter(h -> !release.released(h)).toList() : r.releasing();
        if (!keep.isEmpty()) { // most records hold nothing: no set of their extents
            Set<Extent> own = r.allocation().map(a -> Set.copyOf(a.extents())).orElse(Set.of());
            keep.stream().filter(h -> !own.contains(h.extent())).forEach(h -> held.add(h.extent()));
        }
        if (owned && release != null) { // only statuses ask (a preview judges none): no sorted map of 100,000 names
            stillHeld.put(r.name(), keep);
        }
        if (r.allocation().isEmpty()) {
            return;
        }
        VolumeAllocation a = r.allocation().get();
        if (!owned) {
            pinned.add(a);
            return;
        }
        if (release != null && !wanted.containsKey(r.name()) && !r.deletionProtection()) {
            if (r.status().settingUp()) {
                // Its targets are still setting it up: deleting now would race them. Keep it as it is.
                waits.put(r.name(), "deletion waits until the volume is fully served (it is "
                        + r.status().wireName() + ")");
                keep(a, false);
                return;
            }
            List<HeldExtent> hold = deletionHold(r, keep, a);
            if (hold.stream().anyMatch(h -> !release.released(h))) {
                deleting.put(r.name(), hold);
                pinned.add(a);
                return;
            }
        }
        if (r.deletionProtection() && !wanted.containsKey(r.name())) {
            blocked.add(r.name());
            keep(a, true);
            return;
        }
        changeable.add(a);
    }

    /** An owned volume removed from desired stays in the planner's desired view, as large as it is. */
    private void keep(VolumeAllocation a, boolean deletionProtection) {
        changeable.add(a);
        kept.add(new Volume(Metadata.named(a.volume()), a.policy(), Capacity.MAX, List.of(), 0, deletionProtection));
        keptPolicies.add(a.policy());
    }

    /**
     * What a volume removed from desired holds while it is deleting. Deleting already: every hold it was given, until
     * all are released. Newly removed (or deleting as recorded before holds were kept, with none listed): every
     * segment, from the generation this pass records. Segments are held even where nothing serves them now (a target
     * without an agent, a drive gone): should the target get an agent or the drive come back, the commit that drops
     * the volume judges each segment by its hold, whereas a segment given up unheld is judged as commanded until that
     * very commit, which no ack can ever prove, and the volume could never be dropped. (A deleting record that lost
     * some segments' holds holds them again, from this pass on.)
     */
    private List<HeldExtent> deletionHold(VolumeRecord r, List<HeldExtent> keep, VolumeAllocation a) {
        boolean continuing = r.status() == VolumeStatus.DELETING && !r.releasing().isEmpty();
        List<HeldExtent> hold = new ArrayList<>(continuing ? r.releasing() : keep);
        for (Extent e : a.extents()) {
            if (hold.stream().noneMatch(h -> h.extent().equals(e))) {
                hold.add(HeldExtent.of(e, since));
            }
        }
        return hold;
    }

    /** Owned allocations the planner may change (delete, move, extend). */
    List<VolumeAllocation> changeable() {
        return changeable;
    }

    /** Allocations of volumes this pass must not change: other owners' volumes and deleting ones. */
    List<VolumeAllocation> pinned() {
        return pinned;
    }

    /** Space the planner places nothing on and changes nothing in: holds not released yet and pinned volumes. */
    List<Extent> fixed() {
        List<Extent> out = new ArrayList<>(held);
        pinned.forEach(a -> out.addAll(a.extents()));
        return out;
    }

    /** Owned volumes removed from desired that stay (blocked or waiting), for the planner's desired view. */
    List<Volume> kept() {
        return kept;
    }

    /** Policies of {@link #kept()} volumes, which may no longer be desired. */
    SortedSet<String> keptPolicies() {
        return keptPolicies;
    }

    /** Volumes removed from desired whose deletion {@code deletionProtection} blocks. */
    List<String> blocked() {
        return blocked;
    }

    /** Holds of each owned volume not released yet; empty in a preview, which judges no statuses. */
    Map<String, List<HeldExtent>> stillHeld() {
        return stillHeld;
    }

    /** Owned volumes deleting: their holds, some not released yet. */
    Map<String, List<HeldExtent>> deleting() {
        return deleting;
    }

    /** Why a volume's deletion waits this pass. */
    Map<String, String> waits() {
        return waits;
    }

    Release release() {
        return release;
    }

    long since() {
        return since;
    }
}
