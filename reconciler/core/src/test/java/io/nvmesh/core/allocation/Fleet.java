package io.nvmesh.core.allocation;

import io.nvmesh.schema.Capacity;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Protection;
import io.nvmesh.schema.Size;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds test topologies and manifests in a line: {@code Fleet.of(3, 2, 1000).inRacks(3)}. */
final class Fleet {

    static final long G = Size.GiB;

    private Fleet() {
    }

    /** {@code targets} targets t01.. with {@code drives} drives each (serial t01-d1 ...) of {@code gib} GiB. */
    static Inventory of(int targets, int drives, long gib) {
        return inRacks(targets, drives, gib, targets);
    }

    /** Like {@link #of}, targets spread round robin over {@code racks} racks r1... */
    static Inventory inRacks(int targets, int drives, long gib, int racks) {
        List<Target> ts = new ArrayList<>();
        for (int t = 1; t <= targets; t++) {
            String id = String.format("t%02d", t);
            List<Drive> ds = new ArrayList<>();
            for (int d = 1; d <= drives; d++) {
                ds.add(Drive.of(id + "-d" + d, gib * G));
            }
            ts.add(Target.of(id, Map.of("rack", "r" + ((t - 1) % racks + 1)), ds));
        }
        return Inventory.of(ts);
    }

    static VolumePolicy policy(String name, Layout layout, int width, int mirrors, int data, int parity,
            Protection protection, String scope) {
        return policy(name, layout, width, mirrors, data, parity, protection, scope, false);
    }

    static VolumePolicy policy(String name, Layout layout, int width, int mirrors, int data, int parity,
            Protection protection, String scope, boolean allowSharedDrives) {
        return new VolumePolicy(Metadata.named(name), layout, width, VolumePolicy.DEFAULT_STRIPE_SIZE, mirrors, data,
                parity, protection, scope, List.of(), List.of(), false, allowSharedDrives);
    }

    static VolumePolicy policy(String name, Layout layout) {
        return VolumePolicy.defaults(name, layout);
    }

    static Volume volume(String name, String policy, long gib) {
        return new Volume(Metadata.named(name), policy, Capacity.of(Size.ofGiB(gib)), List.of(), 0, true);
    }

    static Volume maxVolume(String name, String policy) {
        return new Volume(Metadata.named(name), policy, Capacity.MAX, List.of(), 0, true);
    }

    static Inventory withDrive(Inventory inv, String serial, java.util.function.UnaryOperator<Drive> change) {
        List<Target> ts = new ArrayList<>();
        for (Target t : inv.targets()) {
            ts.add(t.withDrives(t.drives().stream().map(d -> d.serial().equals(serial) ? change.apply(d) : d).toList()));
        }
        return new Inventory(ts, inv.clients());
    }

    /** The inventory with the drive taken out of its target and put into {@code targetId}. */
    static Inventory moveDrive(Inventory inv, String serial, String targetId) {
        Drive moved = inv.drive(serial).orElseThrow();
        List<Target> ts = new ArrayList<>();
        for (Target t : inv.targets()) {
            List<Drive> ds = new ArrayList<>(t.drives().stream().filter(d -> !d.serial().equals(serial)).toList());
            if (t.id().equals(targetId)) {
                ds.add(moved);
            }
            ts.add(t.withDrives(ds));
        }
        return new Inventory(ts, inv.clients());
    }

    /** Fill ratio of each drive under the allocations. */
    static Map<String, Double> fill(Inventory inv, Allocations a) {
        Map<String, Long> used = new java.util.HashMap<>();
        for (VolumeAllocation v : a.volumes()) {
            for (Extent e : v.extents()) {
                used.merge(e.serial(), e.length(), Long::sum);
            }
        }
        Map<String, Double> out = new java.util.TreeMap<>();
        for (Target t : inv.targets()) {
            for (Drive d : t.drives()) {
                out.put(d.serial(), (double) used.getOrDefault(d.serial(), 0L) / d.usableCapacity());
            }
        }
        return out;
    }

    static String targetOf(Inventory inv, Extent e) {
        return inv.targetOf(e.serial()).orElseThrow().id();
    }
}
