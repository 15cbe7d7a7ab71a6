package io.nvmesh.core.allocation;

import io.nvmesh.schema.Protection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How far apart the segments of a group must sit, and the order in which the planner relaxes its wishes.
 *
 * <p>{@code full} allows one segment of a group per target (and per failure domain when the policy names a
 * domain scope). {@code minimal} allows up to {@code tolerance} (mirrors or parity blocks) per target and per
 * domain, but only after one per target has failed. {@code ignore} allows anything, still trying one per target
 * first. Within a whole chunk (all its groups, which is how raid0 and concatenated stripes spread) the planner
 * first wants every segment on its own drive and only then lets segments share a drive.
 */
final class Separation {

    /** One rung of the ladder: limits per group, and how many of the chunk's segments one drive may hold. */
    record Rule(int perTarget, int perDomain, int perDrive) {
        boolean distinctDrives() {
            return perDrive == 1;
        }
    }

    private Separation() {
    }

    /**
     * Rungs in the order tried: one segment per target (and domain) first, then the protection's own limit; at
     * each, one segment per drive first, then 2, 4 ... per drive so that forced sharing stays as even as it can.
     */
    static List<Rule> ladder(Protection protection, int groupSize, int tolerance, int chunkSegments) {
        List<Rule> rules = new ArrayList<>();
        int relaxed = limit(protection, groupSize, tolerance);
        for (int perGroup : relaxed > 1 ? new int[] {1, relaxed} : new int[] {1}) {
            for (int perDrive = 1; ; perDrive *= 2) {
                rules.add(new Rule(perGroup, perGroup, Math.min(perDrive, chunkSegments)));
                if (perDrive >= chunkSegments) {
                    break;
                }
            }
        }
        return rules;
    }

    /** The hard limit of segments of one group per target (and per domain) that a placed group may have. */
    static int limit(Protection protection, int groupSize, int tolerance) {
        return switch (protection) {
            case FULL -> 1;
            case MINIMAL -> Math.max(1, tolerance);
            case IGNORE -> groupSize;
        };
    }

    /**
     * Indices of the segments that break the limit: for each target (then domain) holding more than
     * {@code limit} segments, the ones with the highest indices. Null entries (drive not in the inventory) are
     * not counted.
     */
    static List<Integer> offenders(List<String> targets, List<String> domains, int limit) {
        boolean[] off = new boolean[targets.size()];
        mark(targets, limit, off);
        if (domains != null) {
            List<String> remaining = new ArrayList<>(domains);
            for (int i = 0; i < off.length; i++) {
                if (off[i]) {
                    remaining.set(i, null);
                }
            }
            mark(remaining, limit, off);
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < off.length; i++) {
            if (off[i]) {
                out.add(i);
            }
        }
        return out;
    }

    private static void mark(List<String> keys, int limit, boolean[] off) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            String k = keys.get(i);
            if (k == null || off[i]) {
                continue;
            }
            int n = seen.merge(k, 1, Integer::sum);
            if (n > limit) {
                off[i] = true;
            }
        }
    }

    /** A drive's value of a domain key; drives without the label share one unnamed domain. */
    static String domain(Target target, Drive drive, String key) {
        return Objects.requireNonNullElse(target.domainOf(drive, key), "");
    }
}
