package io.nvmesh.core.allocation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The invariants of recorded state, checked from scratch (what {@code nvmesh fsck} runs): no two extents of a drive
 * overlap, every extent lies inside its drive, the segments of a group are equal, and every group keeps the
 * separation its protection promised against where drives sit now. A segment on a failed or missing drive, or on a
 * drive of an unhealthy (or unreachable) target, makes its volume degraded. Returns every finding, sorted, never
 * throws.
 */
public final class StateChecker {

    private StateChecker() {
    }

    /** How space still held for release is named where a volume would be. */
    static final String HELD = "(space being released)";

    private record Located(Target target, Drive drive) {
    }

    private record Owned(String volume, Extent extent) {
    }

    public static List<Violation> check(Inventory inventory, Allocations recorded) {
        Map<String, Located> where = new HashMap<>();
        for (Target t : inventory.targets()) {
            for (Drive d : t.drives()) {
                where.put(d.serial(), new Located(t, d));
            }
        }
        List<Violation> out = new ArrayList<>();
        // Hashed by serial (the violations are sorted at the end): a tree of 120,000 serials cost string compares.
        Map<String, List<Owned>> perDrive = new HashMap<>();
        for (VolumeAllocation v : recorded.volumes()) {
            for (Chunk c : v.chunks()) {
                for (Group g : c.groups()) {
                    checkGroup(v, c, g, where, out);
                    for (Segment s : g.segments()) {
                        perDrive.computeIfAbsent(s.extent().serial(), k -> new ArrayList<>())
                                .add(new Owned(v.volume(), s.extent()));
                    }
                }
            }
        }
        for (Extent e : recorded.held()) {
            perDrive.computeIfAbsent(e.serial(), k -> new ArrayList<>()).add(new Owned(HELD, e));
        }
        for (Map.Entry<String, List<Owned>> e : perDrive.entrySet()) {
            String serial = e.getKey();
            List<Owned> extents = e.getValue();
            extents.sort(Comparator.comparingLong((Owned o) -> o.extent().offset()));
            Located at = where.get(serial);
            for (int i = 0; i < extents.size(); i++) {
                Owned o = extents.get(i);
                if (at != null && o.extent().end() > at.drive().usableCapacity()) {
                    out.add(new Violation(Violation.Kind.OUTSIDE_DRIVE, o.volume(), serial, "extent " + o.extent()
                            + " of volume " + o.volume() + " ends past the drive's " + at.drive().usableCapacity()
                            + " usable bytes"));
                }
                if (i > 0 && extents.get(i - 1).extent().end() > o.extent().offset()) {
                    Owned p = extents.get(i - 1);
                    out.add(new Violation(Violation.Kind.OVERLAP, o.volume(), serial, "extent " + o.extent()
                            + " of volume " + o.volume() + " overlaps " + p.extent() + " of volume " + p.volume()));
                }
            }
        }
        out.sort(Comparator.comparing(Violation::kind).thenComparing(v -> String.valueOf(v.volume()))
                .thenComparing(v -> String.valueOf(v.serial())).thenComparing(Violation::message));
        return List.copyOf(out);
    }

    private static void checkGroup(VolumeAllocation v, Chunk c, Group g, Map<String, Located> where,
            List<Violation> out) {
        String at = "volume " + v.volume() + " chunk " + c.index() + " group " + g.index();
        long length = g.segmentLength();
        List<String> targets = new ArrayList<>();
        List<String> domains = v.domainScope() == null ? null : new ArrayList<>();
        for (Segment s : g.segments()) {
            String serial = s.extent().serial();
            if (s.extent().length() != length) {
                out.add(new Violation(Violation.Kind.UNEQUAL_SEGMENTS, v.volume(), serial, at + ": segment "
                        + s.index() + " is " + s.extent().length() + " bytes, segment 0 is " + length));
            }
            Located l = where.get(serial);
            if (l == null || !l.drive().health().online()) {
                out.add(new Violation(Violation.Kind.DEGRADED, v.volume(), serial, at + ": segment " + s.index()
                        + " is on drive " + serial + ", which is " + (l == null ? "not in the inventory"
                        : l.drive().health().name().toLowerCase(java.util.Locale.ROOT))));
            } else if (l.target().health() == TargetHealth.UNHEALTHY) {
                // Not moved by the planner (the target may come back with its data), but not served meanwhile.
                out.add(new Violation(Violation.Kind.DEGRADED, v.volume(), serial, at + ": segment " + s.index()
                        + " is on drive " + serial + " of target " + l.target().id() + ", which is unhealthy"));
            }
            targets.add(l == null ? null : l.target().id());
            if (domains != null) {
                domains.add(l == null ? null : Separation.domain(l.target(), l.drive(), v.domainScope()));
            }
        }
        int tolerance = (int) g.segments().stream().filter(s -> s.role().redundant()).count();
        int limit = Separation.limit(v.protection(), g.segments().size(), tolerance);
        for (int i : Separation.offenders(targets, domains, limit)) {
            Segment s = g.segments().get(i);
            out.add(new Violation(Violation.Kind.PROTECTION, v.volume(), s.extent().serial(), at + ": segment "
                    + i + " on target " + targets.get(i) + (domains == null ? "" : " (" + v.domainScope() + " "
                    + domains.get(i) + ")") + " breaks protection " + v.protection() + " (at most " + limit
                    + " per target" + (domains == null ? "" : " and " + v.domainScope()) + ")"));
        }
    }
}
