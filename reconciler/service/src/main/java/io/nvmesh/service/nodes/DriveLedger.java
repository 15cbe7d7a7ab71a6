package io.nvmesh.service.nodes;

import io.nvmesh.core.allocation.Client;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.service.agent.NodeKind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Which connected target holds which drive serial, and what changed between two reports of a node: the inventory
 * changes the hub batches for the recorder. A serial a connected target reports while another connected target here
 * reports it too is kept out of the claimant's record until the holder stops reporting it (then it is a move), so no
 * agent takes over another target's drive by naming its serial.
 *
 * <p>Not thread-safe: the {@link AgentHub} calls it with its lock held, and owns the map of nodes it reads.
 */
final class DriveLedger {

    private static final System.Logger LOG = System.getLogger(DriveLedger.class.getName());

    /** A connected target's report of a drive another connected target holds. */
    private record Claim(String key, Drive drive) {
    }

    private final Map<String, ReportedNode> nodes;
    private final ChangeBatcher changes;
    /** Told of a node's new state when a claimed drive is handed over to it. */
    private final BiConsumer<ReportedNode, ReportedNode> nodeListener;
    private final Map<String, String> targetOfSerial = new HashMap<>();
    private final Map<String, Claim> claims = new HashMap<>();

    /** @param nodes the hub's nodes by key, read and (on a hand-over) written here */
    DriveLedger(Map<String, ReportedNode> nodes, ChangeBatcher changes,
                BiConsumer<ReportedNode, ReportedNode> nodeListener) {
        this.nodes = nodes;
        this.changes = changes;
        this.nodeListener = nodeListener;
    }

    /** The node's connection ended: its claims on other targets' drives lapse. */
    void disconnected(String key) {
        claims.values().removeIf(claim -> claim.key().equals(key));
    }

    /** Forgets what belongs to nodes no longer in the hub's map (they moved to another owner). */
    void retainKnownNodes() {
        targetOfSerial.values().removeIf(key -> !nodes.containsKey(key));
        claims.values().removeIf(claim -> !nodes.containsKey(claim.key()));
    }

    /** What changed between two states of a node, into the batch. */
    void observe(ReportedNode previous, ReportedNode next) {
        String key = next.kind().key(next.id());
        if (next.kind() == NodeKind.CLIENT) {
            if (previous == null) {
                changes.add(new InventoryChange.ClientSeen(new Client(next.id(), next.labels())));
            }
            return;
        }
        if (previous == null) {
            changes.add(new InventoryChange.TargetSeen(new Target(next.id(), next.labels(), next.health(),
                    next.drives())));
            next.drives().forEach(d -> targetOfSerial.put(d.serial(), key));
            return;
        }
        if (previous.health() != next.health()) {
            changes.add(new InventoryChange.TargetHealthChanged(next.id(), previous.health(), next.health()));
        }
        if (previous.drives().equals(next.drives())) {
            return; // most reports: the same drives (both sorted by serial), so nothing was added, lost or changed
        }
        Map<String, Drive> before = bySerial(previous.drives());
        Map<String, Drive> after = bySerial(next.drives());
        for (String serial : new TreeSet<>(after.keySet())) {
            Drive now = after.get(serial);
            Drive was = before.get(serial);
            if (was == null) {
                String from = targetOfSerial.get(serial);
                if (from != null && !from.equals(key) && nodes.containsKey(from)) {
                    changes.add(new InventoryChange.DriveMoved(next.id(), serial, nodes.get(from).id(), now));
                } else {
                    changes.add(new InventoryChange.DriveAdded(next.id(), now));
                }
                targetOfSerial.put(serial, key);
            } else if (was.health() != now.health()) {
                changes.add(new InventoryChange.DriveHealthChanged(next.id(), serial, was.health(), now.health()));
            }
        }
        for (String serial : new TreeSet<>(before.keySet())) {
            if (!after.containsKey(serial)) {
                if (key.equals(targetOfSerial.get(serial))) {
                    targetOfSerial.remove(serial);
                    if (!handOver(serial, next)) {
                        changes.add(new InventoryChange.DriveMissing(next.id(), serial));
                    }
                } // else: already reported as moved to the target that has it now
            }
        }
    }

    private static Map<String, Drive> bySerial(List<Drive> drives) {
        Map<String, Drive> out = new HashMap<>();
        drives.forEach(d -> out.put(d.serial(), d));
        return out;
    }

    /**
     * The drives of a target's hello or report that may be recorded for it. A serial that another target connected
     * here reports too is kept out, and claimed: it is the holder's until the holder stops reporting it. A drive
     * pulled from one target and pushed into another is then a move, a report later; a serial named by an agent that
     * does not hold the drive never displaces the drive's record.
     */
    List<Drive> admit(String key, List<Drive> reported) {
        List<Drive> admitted = new ArrayList<>(reported.size());
        for (Drive d : reported) {
            String holder = targetOfSerial.get(d.serial());
            ReportedNode h = holder == null || holder.equals(key) ? null : nodes.get(holder);
            if (h != null && h.connected() && h.drives().stream().anyMatch(x -> x.serial().equals(d.serial()))) {
                Claim previous = claims.put(d.serial(), new Claim(key, d));
                if (previous == null || !previous.key().equals(key)) {
                    LOG.log(System.Logger.Level.WARNING, key + " reports drive " + d.serial() + ", which " + holder
                            + " (connected) reports too: not recorded for " + key + " while " + holder + " has it");
                }
            } else {
                admitted.add(d);
                Claim mine = claims.get(d.serial());
                if (mine != null && mine.key().equals(key)) {
                    claims.remove(d.serial());
                }
            }
        }
        if (!claims.isEmpty()) {
            Set<String> serials = new HashSet<>();
            reported.forEach(d -> serials.add(d.serial()));
            claims.values().removeIf(c -> c.key().equals(key) && !serials.contains(c.drive().serial()));
        }
        return admitted;
    }

    /**
     * When the target {@code from} stopped reporting {@code serial}: if a connected target claimed it meanwhile, the
     * drive moved there.
     */
    private boolean handOver(String serial, ReportedNode from) {
        Claim claim = claims.remove(serial);
        ReportedNode to = claim == null ? null : nodes.get(claim.key());
        if (to == null || !to.connected()) {
            return false;
        }
        List<Drive> drives = new ArrayList<>(to.drives());
        drives.add(claim.drive());
        ReportedNode next = to.withDrives(drives);
        nodes.put(claim.key(), next);
        nodeListener.accept(to, next);
        targetOfSerial.put(serial, claim.key());
        changes.add(new InventoryChange.DriveMoved(to.id(), serial, from.id(), claim.drive()));
        return true;
    }
}
