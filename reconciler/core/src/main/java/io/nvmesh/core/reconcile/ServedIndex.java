package io.nvmesh.core.reconcile;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.ServedExtent;
import io.nvmesh.core.record.ServedLayout;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Where each segment is served, for the status rules of one pass. Only agent-managed targets ({@link Target#managed})
 * are asked: a segment on an unmanaged target (inventory from a file, no agent) counts as served at once, and so does
 * every segment of a state without managed targets, which then costs nothing here. Segments on drives that are not
 * online (failed, missing) are not asked either: they cannot be served, {@code StateChecker} calls them degraded and
 * the planner rebuilds them.
 */
final class ServedIndex {

    private final Map<String, Target> targetOfSerial = new HashMap<>();
    private final Map<String, Drive> driveOfSerial = new HashMap<>();
    private final SortedMap<String, ServedLayout> served;
    /** Per managed target, built on first use: the extents it serves, and {@code volume \0 serial} keys. */
    private final Map<String, Set<ServedExtent>> extents = new HashMap<>();
    private final Map<String, Set<String>> volumeSerials = new HashMap<>();

    private ServedIndex(Inventory inventory, SortedMap<String, ServedLayout> served) {
        this.served = served;
        for (Target t : inventory.targets()) {
            if (t.managed()) {
                for (Drive d : t.drives()) {
                    targetOfSerial.put(d.serial(), t);
                    driveOfSerial.put(d.serial(), d);
                }
            }
        }
    }

    static ServedIndex of(Inventory inventory, SortedMap<String, ServedLayout> served) {
        return new ServedIndex(inventory, served);
    }

    /** The segment keys of {@code a} that a managed target holds on an online drive but has not acked serving. */
    List<Integer> unserved(VolumeAllocation a) {
        if (targetOfSerial.isEmpty()) {
            return List.of();
        }
        return ServedExtent.of(a).stream().filter(e -> {
            Target t = askable(e.serial());
            return t != null && !extentsOf(t.id()).contains(e);
        }).map(ServedExtent::segment).toList();
    }

    /** The managed targets that still serve some segment of {@code a} on a drive they hold, online. */
    Set<String> holding(VolumeAllocation a) {
        Set<String> out = new TreeSet<>();
        if (targetOfSerial.isEmpty()) {
            return out;
        }
        for (ServedExtent e : ServedExtent.of(a)) {
            Target t = askable(e.serial());
            if (t != null && volumeSerialsOf(t.id()).contains(e.volume() + '\0' + e.serial())) {
                out.add(t.id());
            }
        }
        return out;
    }

    private Target askable(String serial) {
        Target t = targetOfSerial.get(serial);
        return t == null || !driveOfSerial.get(serial).health().online() ? null : t;
    }

    private Set<ServedExtent> extentsOf(String target) {
        return extents.computeIfAbsent(target, id -> {
            ServedLayout l = served.get(id);
            return l == null ? Set.of() : new HashSet<>(l.extents());
        });
    }

    private Set<String> volumeSerialsOf(String target) {
        return volumeSerials.computeIfAbsent(target, id -> {
            Set<String> out = new HashSet<>();
            ServedLayout l = served.get(id);
            if (l != null) {
                l.extents().forEach(e -> out.add(e.volume() + '\0' + e.serial()));
            }
            return out;
        });
    }
}
