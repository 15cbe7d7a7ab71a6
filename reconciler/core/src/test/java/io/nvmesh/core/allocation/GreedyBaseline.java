package io.nvmesh.core.allocation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * NVMesh's own way, for comparison: each segment in turn takes the drive with the largest free space that keeps
 * its group on distinct targets and the chunk on distinct drives, never looking ahead or back.
 */
final class GreedyBaseline {

    private GreedyBaseline() {
    }

    /** Serials chosen for {@code groups} × {@code groupSize} segments of {@code length}, or null when stuck. */
    static List<String> place(Inventory inv, int groups, int groupSize, long length) {
        Map<String, Long> free = new HashMap<>();
        Map<String, String> targetOf = new HashMap<>();
        for (Target t : inv.targets()) {
            for (Drive d : t.drives()) {
                free.put(d.serial(), d.usableCapacity());
                targetOf.put(d.serial(), t.id());
            }
        }
        List<String> chosen = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (int g = 0; g < groups; g++) {
            Set<String> groupTargets = new HashSet<>();
            for (int s = 0; s < groupSize; s++) {
                String best = null;
                for (Map.Entry<String, Long> e : new java.util.TreeMap<>(free).entrySet()) {
                    if (e.getValue() >= length && !used.contains(e.getKey())
                            && !groupTargets.contains(targetOf.get(e.getKey()))
                            && (best == null || e.getValue() > free.get(best))) {
                        best = e.getKey();
                    }
                }
                if (best == null) {
                    return null;
                }
                chosen.add(best);
                used.add(best);
                groupTargets.add(targetOf.get(best));
                free.merge(best, -length, Long::sum);
            }
        }
        return chosen;
    }
}
