package io.nvmesh.core.allocation;

import io.nvmesh.schema.DriveClass;
import io.nvmesh.schema.DriveIntent;
import io.nvmesh.schema.TargetClass;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The planner's mutable scratch state for one planning run: every drive's free list, and candidate pools (eligible
 * drives of a policy's drive and target classes, least filled first) kept in order as extents come and go.
 */
final class Workspace {

    final Inventory inventory;
    final DesiredState desired;
    final List<DriveSpace> drives = new ArrayList<>();
    final Map<String, DriveSpace> bySerial = new HashMap<>();
    final Set<String> evacuating = new HashSet<>();
    private final Map<String, CandidatePool> pools = new HashMap<>();
    private final Map<String, int[]> domainIds = new HashMap<>();
    private final Map<String, DriveClass> driveClasses = new HashMap<>();
    private final Map<String, TargetClass> targetClasses = new HashMap<>();

    Workspace(Inventory inventory, Allocations recorded, DesiredState desired) {
        this.inventory = inventory;
        this.desired = desired;
        Set<String> closed = new HashSet<>();
        for (DriveIntent i : desired.driveIntents()) {
            if (i.closedToNewExtents()) {
                closed.add(i.serial());
            }
            if (i.evacuate()) {
                evacuating.add(i.serial());
            }
        }
        desired.driveClasses().forEach(c -> driveClasses.put(c.name(), c));
        desired.targetClasses().forEach(c -> targetClasses.put(c.name(), c));
        int t = 0;
        for (Target target : inventory.targets()) {
            for (Drive d : target.drives()) {
                boolean eligible = d.health() == DriveHealth.OK && target.health() == TargetHealth.HEALTHY
                        && !closed.contains(d.serial());
                DriveSpace s = new DriveSpace(drives.size(), target, d, t, eligible);
                drives.add(s);
                bySerial.put(s.serial, s);
            }
            t++;
        }
        for (VolumeAllocation v : recorded.volumes()) {
            for (Extent e : v.extents()) {
                DriveSpace d = bySerial.get(e.serial());
                if (d != null && !d.reserve(e.offset(), e.length())) {
                    throw new IllegalStateException("recorded state is inconsistent: extent " + e + " of volume "
                            + v.volume() + " overlaps another or lies outside its drive (run nvmesh fsck)");
                }
            }
        }
    }

    int targetCount() {
        return inventory.targets().size();
    }

    /** Names of drive or target classes the policy asks for that are not defined, or empty. */
    List<String> undefinedClasses(VolumePolicy p) {
        List<String> missing = new ArrayList<>();
        p.driveClasses().stream().filter(n -> !driveClasses.containsKey(n)).forEach(n -> missing.add("drive class " + n));
        p.targetClasses().stream().filter(n -> !targetClasses.containsKey(n)).forEach(n -> missing.add("target class " + n));
        return missing;
    }

    /** Eligible drives of the policy's classes, least filled first. Built on first use, then kept in order. */
    CandidatePool pool(VolumePolicy p) {
        String key = String.join(",", p.driveClasses()) + "|" + String.join(",", p.targetClasses());
        CandidatePool pool = pools.get(key);
        if (pool == null) {
            pool = new CandidatePool();
            for (DriveSpace d : drives) {
                if (d.eligible && matches(p, d)) {
                    pool.add(d);
                }
            }
            pools.put(key, pool);
        }
        return pool;
    }

    private boolean matches(VolumePolicy p, DriveSpace d) {
        boolean drive = p.driveClasses().isEmpty()
                || p.driveClasses().stream().anyMatch(n -> driveClasses.get(n).selector().matches(d.drive.labels()));
        boolean target = p.targetClasses().isEmpty()
                || p.targetClasses().stream().anyMatch(n -> targetClasses.get(n).selector().matches(d.target.labels()));
        return drive && target;
    }

    /** Per drive index, a small id of its value of the domain key (null key: none). */
    int[] domainIds(String key) {
        if (key == null) {
            return null;
        }
        return domainIds.computeIfAbsent(key, k -> {
            Map<String, Integer> ids = new HashMap<>();
            int[] out = new int[drives.size()];
            for (DriveSpace d : drives) {
                out[d.index] = ids.computeIfAbsent(Separation.domain(d.target, d.drive, k), v -> ids.size());
            }
            return out;
        });
    }

    long allocate(DriveSpace d, long length) {
        detach(d);
        long offset = d.allocate(length);
        attach(d);
        return offset;
    }

    void release(DriveSpace d, long offset, long length) {
        detach(d);
        d.release(offset, length);
        attach(d);
    }

    private static void detach(DriveSpace d) {
        for (TreeSet<DriveSpace> p : d.pools) {
            p.remove(d);
        }
    }

    private static void attach(DriveSpace d) {
        for (TreeSet<DriveSpace> p : d.pools) {
            p.add(d);
        }
    }
}
