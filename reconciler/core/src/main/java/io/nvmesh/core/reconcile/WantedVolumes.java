package io.nvmesh.core.reconcile;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.schema.Capacity;
import io.nvmesh.schema.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The second step of a pass ({@link Reconciliation}): what the planner is asked to do for each desired volume this pass
 * owns. Most are shown as desired. An unplaced {@code capacity: max} volume is deferred while it must wait; a volume
 * whose targets are still setting it up is shown at the size it has, so it does not grow yet.
 */
final class WantedVolumes {

    private final List<Volume> planned = new ArrayList<>();
    private final Map<String, String> deferred = new TreeMap<>();
    private final Map<String, String> waits = new TreeMap<>();

    private WantedVolumes() {
    }

    /**
     * @param statuses whether this pass judges statuses (a preview does not, so it shows every extend as desired)
     * @param maxHold why unplaced {@code capacity: max} volumes must wait this pass; empty: they need not
     */
    static WantedVolumes decide(RecordedState recorded, Map<String, Volume> wanted, Predicate<String> owns,
            boolean statuses, String maxHold) {
        WantedVolumes out = new WantedVolumes();
        List<String> unrecordedForeign = wanted.values().stream()
                .filter(v -> !owns.test(v.name()) && !v.capacity().max() && !recorded.volumes().containsKey(v.name()))
                .map(Volume::name).toList();
        // Both in name order: each desired volume's record is found by walking the records alongside, not by a
        // sorted-map look-up per volume (100,000 of them).
        boolean inOrder = wanted instanceof java.util.SortedMap<String, Volume> m && m.comparator() == null
                && recorded.volumes().comparator() == null;
        java.util.Iterator<VolumeRecord> records = recorded.volumes().values().iterator();
        VolumeRecord r = records.hasNext() ? records.next() : null;
        for (Volume v : wanted.values()) {
            VolumeRecord was;
            if (inOrder) {
                while (r != null && r.name().compareTo(v.name()) < 0) {
                    r = records.hasNext() ? records.next() : null;
                }
                was = r != null && r.name().equals(v.name()) ? r : null;
            } else {
                was = recorded.volumes().get(v.name());
            }
            if (owns.test(v.name())) {
                out.decide(v, was, statuses, maxHold, unrecordedForeign);
            }
        }
        return out;
    }

    private void decide(Volume v, VolumeRecord was, boolean statuses, String maxHold, List<String> unrecordedForeign) {
        boolean placed = was != null && was.allocation().isPresent();
        if (v.capacity().max() && !placed && !maxHold.isEmpty()) {
            deferred.put(v.name(), maxHold);
        } else if (v.capacity().max() && !placed && !unrecordedForeign.isEmpty()) {
            deferred.put(v.name(), Reconciliation.waitingForFixed(unrecordedForeign));
        } else if (statuses && placed && was.status().settingUp() && !v.capacity().max()
                && v.capacity().size().bytes() > was.allocation().get().size()) {
            waits.put(v.name(), "extend to " + v.capacity().size().human() + " waits until the volume is fully "
                    + "served (it is " + was.status().wireName() + ")");
            planned.add(new Volume(v.metadata(), v.policy(), Capacity.MAX, v.clients(), v.rebuildPriority(),
                    v.deletionProtection()));
        } else {
            planned.add(v);
        }
    }

    /** The desired volumes shown to the planner. */
    List<Volume> planned() {
        return planned;
    }

    /** Volumes not placed this pass, with why they wait. */
    Map<String, String> deferred() {
        return deferred;
    }

    /** Why a volume's extend waits this pass. */
    Map<String, String> waits() {
        return waits;
    }
}
