package io.nvmesh.core.allocation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The recorded state of placement: every volume's allocation, sorted by volume name, and the space that belongs to no
 * segment any more but is still held (a target may still serve it): the planner places nothing there.
 */
public record Allocations(List<VolumeAllocation> volumes, List<Extent> held) {

    public static final Allocations EMPTY = new Allocations(List.of());

    public Allocations(List<VolumeAllocation> volumes) {
        this(volumes, List.of());
    }

    public Allocations {
        held = List.copyOf(held);
        volumes = ascending(volumes) ? volumes.stream().toList()
                : volumes.stream().sorted(Comparator.comparing(VolumeAllocation::volume)).toList();
        for (int i = 1; i < volumes.size(); i++) {
            if (volumes.get(i).volume().equals(volumes.get(i - 1).volume())) {
                throw new IllegalArgumentException("volume " + volumes.get(i).volume() + " is recorded twice");
            }
        }
    }

    /** Whether volume names strictly ascend: then sorting changes nothing and no name is recorded twice. */
    private static boolean ascending(List<VolumeAllocation> volumes) {
        for (int i = 1; i < volumes.size(); i++) {
            if (volumes.get(i - 1).volume().compareTo(volumes.get(i).volume()) >= 0) {
                return false;
            }
        }
        return true;
    }

    public Optional<VolumeAllocation> volume(String name) {
        int lo = 0;
        int hi = volumes.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = volumes.get(mid).volume().compareTo(name);
            if (c == 0) {
                return Optional.of(volumes.get(mid));
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return Optional.empty();
    }

    /**
     * The state after the plan's placed actions, in plan order. Unplaceable actions change nothing, so a failed
     * create leaves the state exactly as it was.
     */
    public Allocations apply(Plan plan) {
        TreeMap<String, VolumeAllocation> byName = new TreeMap<>();
        for (VolumeAllocation v : volumes) {
            byName.put(v.volume(), v);
        }
        for (Action a : plan.actions()) {
            if (a.outcome() != Outcome.PLACED) {
                continue;
            }
            switch (a.kind()) {
                case CREATE -> {
                    if (byName.putIfAbsent(a.volume(), a.allocation()) != null) {
                        throw new IllegalStateException("plan creates " + a.volume() + ", which is already recorded");
                    }
                }
                case DELETE -> {
                    if (byName.remove(a.volume()) == null) {
                        throw new IllegalStateException("plan deletes " + a.volume() + ", which is not recorded");
                    }
                }
                case EXTEND -> byName.put(a.volume(), require(byName, a).withChunks(a.sizeAfter(), a.chunks()));
                case MOVE -> {
                    SegmentMove m = a.move();
                    VolumeAllocation v = require(byName, a);
                    Extent now = v.chunks().get(m.chunk()).groups().get(m.group()).segments().get(m.segment()).extent();
                    if (!now.equals(m.from())) {
                        throw new IllegalStateException("plan moves " + a.volume() + " segment from " + m.from()
                                + " but it is at " + now);
                    }
                    byName.put(a.volume(), v.withSegment(m.chunk(), m.group(), m.segment(), m.to()));
                }
            }
        }
        return new Allocations(new ArrayList<>(byName.values()), held);
    }

    private static VolumeAllocation require(TreeMap<String, VolumeAllocation> byName, Action a) {
        VolumeAllocation v = byName.get(a.volume());
        if (v == null) {
            throw new IllegalStateException("plan changes " + a.volume() + ", which is not recorded");
        }
        return v;
    }
}
