package io.nvmesh.core.allocation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Drives that hold segments of more than one stripe (group) of a chunk. Such stripes do not work in parallel, which
 * a stripe width promised: the planner no longer places them so unless the policy allows shared drives, but
 * allocations made before, and segments a rebuild could put nowhere else, may still share. Reported, never moved.
 */
public final class StripeSharing {

    /** One drive that stripes {@code groups} (ascending) of chunk {@code chunk} share. */
    public record SharedDrive(int chunk, String serial, List<Integer> groups) {

        public SharedDrive {
            groups = List.copyOf(groups);
        }
    }

    private StripeSharing() {
    }

    /** Every shared drive of the volume, by chunk then serial; empty for layouts that do not stripe. */
    public static List<SharedDrive> shared(VolumeAllocation v) {
        return shared(v.chunks());
    }

    /** Every shared drive of these chunks (a volume's, or those a plan adds), by chunk then serial. */
    public static List<SharedDrive> shared(List<Chunk> chunks) {
        List<SharedDrive> out = new ArrayList<>();
        for (Chunk c : chunks) {
            if (c.groups().size() < 2) {
                continue;
            }
            Map<String, TreeSet<Integer>> groupsOf = new TreeMap<>();
            for (Group g : c.groups()) {
                for (Segment s : g.segments()) {
                    groupsOf.computeIfAbsent(s.extent().serial(), k -> new TreeSet<>()).add(g.index());
                }
            }
            groupsOf.forEach((serial, groups) -> {
                if (groups.size() > 1) {
                    out.add(new SharedDrive(c.index(), serial, List.copyOf(groups)));
                }
            });
        }
        return out;
    }

    /** {@code chunk 0: stripes 0, 1 share drive S-1; chunk 2: ...}, at most {@code limit} drives named. */
    public static String describe(List<SharedDrive> shared, int limit) {
        List<String> parts = new ArrayList<>();
        for (SharedDrive d : shared.subList(0, Math.min(limit, shared.size()))) {
            parts.add("chunk " + d.chunk() + ": stripes " + String.join(", ", d.groups().stream().map(String::valueOf)
                    .toList()) + " share drive " + d.serial());
        }
        String more = shared.size() > limit ? "; " + (shared.size() - limit) + " more" : "";
        return String.join("; ", parts) + more;
    }
}
