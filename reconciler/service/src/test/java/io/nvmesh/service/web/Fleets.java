package io.nvmesh.service.web;

import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Role;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.Reconciled;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Protection;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Recorded states built by hand: targets {@code t-00i} in rack {@code rack-<i>}, drives {@code t-00i-dj}. */
final class Fleets {

    static final long TB = 1L << 40;
    static final long GB = 1L << 30;

    private Fleets() {
    }

    static Target target(int i, int drives, DriveHealth... health) {
        List<Drive> ds = new ArrayList<>();
        for (int d = 0; d < drives; d++) {
            ds.add(new Drive(serial(i, d), TB, d < health.length ? health[d] : DriveHealth.OK,
                    Map.of("media", "tlc")));
        }
        return new Target(String.format("t-%03d", i), Map.of("rack", "rack-" + i, "zone", "zone-" + (i % 2)),
                TargetHealth.HEALTHY, ds);
    }

    static String serial(int target, int drive) {
        return String.format("t-%03d-d%d", target, drive);
    }

    /** A two-copy volume whose one group sits on drive 0 of each given target, {@code gb} GiB a copy. */
    static VolumeRecord mirrored(String name, long gb, int... targets) {
        List<Segment> segments = new ArrayList<>();
        for (int k = 0; k < targets.length; k++) {
            segments.add(new Segment(k, k == 0 ? Role.DATA : Role.MIRROR, new Extent(serial(targets[k], 0),
                    0, gb * GB)));
        }
        VolumeAllocation a = new VolumeAllocation(name, "mirror", Layout.RAID1, Protection.FULL, "rack", gb * GB,
                List.of(new Chunk(0, List.of(new Group(0, segments)))));
        return new VolumeRecord(name, VolumeStatus.ONLINE, "", false, "", Optional.of(a));
    }

    static RecordedState state(List<Target> targets, VolumeRecord... volumes) {
        TreeMap<String, VolumeRecord> byName = new TreeMap<>();
        for (VolumeRecord v : volumes) {
            byName.put(v.name(), v);
        }
        return new RecordedState("c0ffee", new Inventory(targets, List.of()), byName, Reconciled.NEVER);
    }
}
