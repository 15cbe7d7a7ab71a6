package io.nvmesh.core.reconcile;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.record.HeldExtent;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.ServedExtent;
import io.nvmesh.core.record.ServedLayout;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.StateStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a state history without {@link Transition} or {@link io.nvmesh.core.record.Release}, so that a mistake the
 * writer and {@link HistoryCheck} share still shows. At every state commit (first parents, decoded strictly): no two
 * claims on drive space overlap, whether two volumes make them or one volume twice (a segment, or space held while it
 * is released); and space leaves the state only with evidence that nothing serves it (its drive gone or failed, its
 * target without an agent, or an ack from that target, not touching it, of a generation from which on no state
 * commanded it), that generation worked out from the history itself rather than read from the records.
 */
final class HistoryAudit {

    /** Space a volume occupies: a segment or held space. */
    private record Occupied(String volume, Extent extent) {
    }

    private HistoryAudit() {
    }

    /** Every problem found, each naming the generation of the state commit it is at. */
    static List<String> audit(StateStore store) {
        List<String> out = new ArrayList<>();
        String tip = store.resolve(StateStore.STATE_REF);
        if (tip.isEmpty()) {
            return out;
        }
        Map<Occupied, Long> lastCommanded = new HashMap<>();
        Set<Occupied> before = Set.of();
        for (String commit : store.firstParents(StateStore.STATE_REF, tip, "")) {
            RecordedState s = StateFiles.decodeStrict(store.read(StateStore.STATE_REF, commit));
            List<Occupied> claims = claims(s);
            overlaps(s.generation(), claims, out);
            Set<Occupied> now = new LinkedHashSet<>(claims);
            for (Occupied o : before) {
                if (!now.contains(o)) {
                    long since = lastCommanded.getOrDefault(o, s.generation() - 1) + 1;
                    String holder = holder(s, o.extent(), since);
                    if (holder != null) {
                        out.add("generation " + s.generation() + ": " + o.extent() + " of volume " + o.volume()
                                + " left the state although " + holder);
                    }
                    lastCommanded.remove(o);
                }
            }
            for (VolumeRecord r : s.volumes().values()) {
                if (r.status() != VolumeStatus.DELETING && r.allocation().isPresent()) {
                    for (Extent e : r.allocation().get().extents()) {
                        lastCommanded.put(new Occupied(r.name(), e), s.generation());
                    }
                }
            }
            before = now;
        }
        return out;
    }

    /**
     * Every piece of space the volumes occupy, once per claim: a segment, and each held extent that is not one of the
     * volume's own segments (a deleting volume holds its own segments; those are one claim).
     */
    private static List<Occupied> claims(RecordedState s) {
        List<Occupied> out = new ArrayList<>();
        for (VolumeRecord r : s.volumes().values()) {
            Set<Extent> own = new LinkedHashSet<>();
            r.allocation().ifPresent(a -> own.addAll(a.extents()));
            own.forEach(e -> out.add(new Occupied(r.name(), e)));
            for (HeldExtent h : r.releasing()) {
                if (!own.contains(h.extent())) {
                    out.add(new Occupied(r.name(), h.extent()));
                }
            }
        }
        return out;
    }

    /** Claims on one drive that share bytes, whoever makes them: two volumes, or one volume twice. */
    private static void overlaps(long generation, List<Occupied> all, List<String> out) {
        Map<String, List<Occupied>> perDrive = new TreeMap<>();
        all.forEach(o -> perDrive.computeIfAbsent(o.extent().serial(), k -> new ArrayList<>()).add(o));
        for (List<Occupied> list : perDrive.values()) {
            list.sort(Comparator.comparingLong(o -> o.extent().offset()));
            for (int i = 0; i < list.size(); i++) {
                Occupied a = list.get(i);
                for (int j = i + 1; j < list.size() && list.get(j).extent().offset() < a.extent().end(); j++) {
                    Occupied b = list.get(j);
                    out.add("generation " + generation + ": " + a.extent() + " of volume " + a.volume() + " overlaps "
                            + b.extent() + " of volume " + b.volume());
                }
            }
        }
    }

    /**
     * Why the space may still be served at state {@code s}, or null when it may not: its drive is gone or failed, its
     * target has no agent, or the target acked a layout from generation {@code since} or later that does not touch it.
     */
    private static String holder(RecordedState s, Extent e, long since) {
        for (Target t : s.inventory().targets()) {
            for (Drive d : t.drives()) {
                if (!d.serial().equals(e.serial())) {
                    continue;
                }
                if (d.health() == DriveHealth.FAILED || !t.managed()) {
                    return null;
                }
                ServedLayout l = s.served().get(t.id());
                if (l == null || l.stateGeneration() < since) {
                    return "target " + t.id() + " acked no layout of generation " + since + " or later (last: "
                            + (l == null ? "none" : "generation " + l.stateGeneration()) + ")";
                }
                for (ServedExtent x : l.extents()) {
                    if (x.serial().equals(e.serial()) && x.offset() < e.end() && e.offset() < x.offset() + x.length()) {
                        return "target " + t.id() + " serves it (segment " + x.segment() + " of " + x.volume() + ")";
                    }
                }
                return null;
            }
        }
        return null; // the drive is gone from the inventory
    }
}
