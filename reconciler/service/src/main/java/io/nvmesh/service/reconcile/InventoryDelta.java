package io.nvmesh.service.reconcile;

import io.nvmesh.core.allocation.Client;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.service.nodes.InventoryChange;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies a batch of observed inventory changes to the recorded inventory. Pure, so that it can be applied again to a
 * newer state after a lost compare-and-swap.
 *
 * <p>A serial lives on one target only: a drive added to (or seen on) a target is taken off whichever target the
 * recorded inventory shows it on. That is how a drive moved between targets owned by different instances is followed:
 * its new target's owner records it there, whatever order the two owners' batches land in. A target recorded from
 * here is {@link Target#managed}: its agent acks what it serves.
 */
final class InventoryDelta {

    private InventoryDelta() {
    }

    static Inventory apply(Inventory recorded, List<InventoryChange> changes) {
        Map<String, Target> targets = new TreeMap<>();
        recorded.targets().forEach(t -> targets.put(t.id(), t));
        Map<String, Client> clients = new TreeMap<>();
        recorded.clients().forEach(c -> clients.put(c.id(), c));
        for (InventoryChange change : changes) {
            if (change instanceof InventoryChange.TargetSeen s) {
                s.target().drives().forEach(d -> takeOff(targets, d.serial(), s.target().id()));
                // Seen by an agent: managed, so its layout counts as served only once the agent acks it.
                targets.put(s.target().id(), s.target().asManaged());
            } else if (change instanceof InventoryChange.ClientSeen s) {
                clients.put(s.client().id(), s.client());
            } else if (change instanceof InventoryChange.TargetHealthChanged h) {
                Target t = targets.get(h.nodeId());
                if (t != null) {
                    targets.put(t.id(), t.withHealth(h.to()));
                }
            } else if (change instanceof InventoryChange.DriveAdded a) {
                addDrive(targets, a.nodeId(), a.drive());
            } else if (change instanceof InventoryChange.DriveMoved m) {
                addDrive(targets, m.nodeId(), m.drive());
            } else if (change instanceof InventoryChange.DriveMissing m) {
                Target t = targets.get(m.nodeId());
                if (t != null) {
                    targets.put(t.id(), t.withDrives(t.drives().stream()
                            .filter(d -> !d.serial().equals(m.serial())).toList()));
                }
            } else if (change instanceof InventoryChange.DriveHealthChanged h) {
                Target t = targets.get(h.nodeId());
                if (t != null) {
                    targets.put(t.id(), t.withDrives(t.drives().stream()
                            .map(d -> d.serial().equals(h.serial()) ? d.withHealth(h.to()) : d).toList()));
                }
            }
        }
        return new Inventory(new ArrayList<>(targets.values()), new ArrayList<>(clients.values()));
    }

    private static void addDrive(Map<String, Target> targets, String targetId, Drive drive) {
        Target t = targets.get(targetId);
        if (t == null) {
            return; // the target's own TargetSeen (in this batch or a later one) brings its drives
        }
        takeOff(targets, drive.serial(), targetId);
        List<Drive> drives = new ArrayList<>(t.drives().stream().filter(d -> !d.serial().equals(drive.serial()))
                .toList());
        drives.add(drive);
        targets.put(targetId, t.withDrives(drives));
    }

    private static void takeOff(Map<String, Target> targets, String serial, String except) {
        for (Target t : List.copyOf(targets.values())) {
            if (!t.id().equals(except) && t.drives().stream().anyMatch(d -> d.serial().equals(serial))) {
                targets.put(t.id(), t.withDrives(t.drives().stream().filter(d -> !d.serial().equals(serial))
                        .toList()));
            }
        }
    }
}
