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
import java.util.Random;

/**
 * The packing benchmark's inputs: heterogeneous fleets (drives of 1, 2, 4 and 8 TB, racks of uneven size in 3 zones)
 * and a seeded stream of volumes over every layout and protection mode, long enough that no allocator places all of it.
 */
final class PackingScenario {

    static final long TB = 1_000_000_000_000L;

    /**
     * Diagnostic ({@code -Dpacking.apart}): the two mirrors whose protection lets a group put segments on one target
     * ({@code r1-ignore}, {@code r10x4-min}) become {@code full}, for the planner, greedy and the bound alike. Same
     * names, so the stream (policies and sizes drawn) is the same; only what the ladder's second rung allows changes.
     * It answers how many of the planner's losses to greedy come from greedy sharing targets there. ({@code
     * ec4p2-zone-min} stays: 6 segments cannot sit one per zone in 3 zones; {@code sec2x2p1-rack-min}'s limit is 1.)
     */
    static final boolean APART = System.getProperty("packing.apart") != null;

    /** Every layout, every protection mode, scopes of none, rack and zone; each placeable on an empty fleet. */
    static final List<VolumePolicy> POLICIES = List.of(
            Fleet.policy("concat", Layout.CONCATENATED),
            Fleet.policy("r0x4", Layout.RAID0, 4, 0, 0, 0, Protection.FULL, null),
            Fleet.policy("r1-zone", Layout.RAID1, 1, 1, 0, 0, Protection.FULL, "zone"),
            Fleet.policy("r1x3-rack", Layout.RAID1, 1, 2, 0, 0, Protection.FULL, "rack"),
            Fleet.policy("r1-ignore", Layout.RAID1, 1, 1, 0, 0, APART ? Protection.FULL : Protection.IGNORE, null),
            Fleet.policy("r10x2-rack", Layout.RAID10, 2, 1, 0, 0, Protection.FULL, "rack"),
            Fleet.policy("r10x4-min", Layout.RAID10, 4, 2, 0, 0, APART ? Protection.FULL : Protection.MINIMAL,
                    null),
            Fleet.policy("ec4p2-rack", Layout.ERASURE_CODING, 1, 0, 4, 2, Protection.FULL, "rack"),
            Fleet.policy("ec4p2-zone-min", Layout.ERASURE_CODING, 1, 0, 4, 2, Protection.MINIMAL, "zone"),
            Fleet.policy("ec8p2", Layout.ERASURE_CODING, 1, 0, 8, 2, Protection.FULL, null),
            Fleet.policy("sec2x4p2", Layout.STRIPED_ERASURE_CODING, 2, 0, 4, 2, Protection.FULL, null),
            Fleet.policy("sec2x2p1-rack-min", Layout.STRIPED_ERASURE_CODING, 2, 0, 2, 1, Protection.MINIMAL,
                    "rack"));

    /** The kinds of fleet; each seed draws one fleet of each kind. */
    enum Kind {
        /** 20–30 targets of 2–8 drives of any of the four sizes, 8 racks of uneven size. */
        MIXED,
        /** One target with 8 × 8 TB drives among 12–16 targets of 2–4 drives of 1–2 TB: separation limits. */
        ONE_BIG,
        /** Racks from 1 to 7 targets, big drives in the small racks: rack- and zone-scoped copies are the limit. */
        UNEVEN_RACKS
    }

    private PackingScenario() {
    }

    static Inventory fleet(Kind kind, long seed) {
        Random r = new Random(seed * 1_000_003L + kind.ordinal());
        List<Target> ts = new ArrayList<>();
        switch (kind) {
            case MIXED -> {
                int n = 20 + r.nextInt(11);
                for (int t = 0; t < n; t++) {
                    int rack = t < 8 ? t : unevenRack(r, 8);
                    ts.add(target(t, rack, 2 + r.nextInt(7), r, new long[] {1, 2, 4, 8}));
                }
            }
            case ONE_BIG -> {
                int n = 12 + r.nextInt(5);
                int big = r.nextInt(n);
                for (int t = 0; t < n; t++) {
                    int rack = t < 7 ? t : unevenRack(r, 7);
                    ts.add(t == big ? target(t, rack, 8, r, new long[] {8})
                            : target(t, rack, 2 + r.nextInt(3), r, new long[] {1, 2}));
                }
            }
            case UNEVEN_RACKS -> {
                int[] rackSizes = {1, 1, 2, 3, 4, 5, 7};
                int t = 0;
                for (int rack = 0; rack < rackSizes.length; rack++) {
                    for (int i = 0; i < rackSizes[rack]; i++) {
                        // Small racks get the big drives, so a rack's share of capacity is far from its share of targets.
                        long[] sizes = rackSizes[rack] <= 2 ? new long[] {4, 8} : new long[] {1, 2};
                        ts.add(target(t++, rack, 2 + r.nextInt(5), r, sizes));
                    }
                }
            }
        }
        return Inventory.of(ts);
    }

    /** After one target in each, racks r0..r(n-1) are drawn with weights 1..n so their sizes differ. */
    private static int unevenRack(Random r, int racks) {
        int total = racks * (racks + 1) / 2;
        int x = r.nextInt(total);
        for (int rack = 0; rack < racks; rack++) {
            x -= rack + 1;
            if (x < 0) {
                return rack;
            }
        }
        return racks - 1;
    }

    private static Target target(int t, int rack, int drives, Random r, long[] sizesTb) {
        String id = String.format("t%02d", t);
        List<Drive> ds = new ArrayList<>();
        for (int d = 0; d < drives; d++) {
            ds.add(Drive.of(id + "-d" + d, sizesTb[r.nextInt(sizesTb.length)] * TB));
        }
        return Target.of(id, Map.of("rack", "r" + rack, "zone", "z" + rack % 3), ds);
    }

    /**
     * Volumes v0000... of random policies, of 1/4000 to 1/100 of the fleet's raw capacity (log-uniform, whole GiB),
     * until together they need more than 1.2 times the raw capacity: every allocator refuses one before the end.
     */
    static List<Volume> stream(Inventory fleet, long seed) {
        Random r = new Random(seed * 7_919L + 17);
        long raw = raw(fleet);
        double low = Math.log(raw / 4000.0 / Size.GiB);
        double high = Math.log(raw / 100.0 / Size.GiB);
        List<Volume> out = new ArrayList<>();
        double need = 0;
        while (need <= 1.2 * raw) {
            VolumePolicy p = POLICIES.get(r.nextInt(POLICIES.size()));
            long gib = Math.max(1, Math.round(Math.exp(low + r.nextDouble() * (high - low))));
            Volume v = new Volume(Metadata.named(String.format("v%04d", out.size())), p.name(),
                    Capacity.of(Size.ofGiB(gib)), List.of(), 0, true);
            out.add(v);
            need += footprint(v, p);
        }
        return out;
    }

    /** Usable bytes of every drive. */
    static long raw(Inventory fleet) {
        return fleet.targets().stream().flatMap(t -> t.drives().stream()).mapToLong(Drive::usableCapacity).sum();
    }

    /**
     * Raw bytes a volume occupies with its mirrors or parity, before rounding segments up to whole MiB: the measure
     * of "allocated" that the planner, the greedy baseline and the bound share.
     */
    static double footprint(Volume v, VolumePolicy p) {
        Shape s = Shape.of(p);
        return (double) v.capacity().size().bytes() * s.groupSize() / s.dataPerGroup();
    }

    static VolumePolicy policy(Volume v) {
        return policyNamed(v.policy());
    }

    static VolumePolicy policyNamed(String name) {
        return POLICIES.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }
}
