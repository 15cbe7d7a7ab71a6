package io.nvmesh.core.allocation;

import java.util.Iterator;
import java.util.NavigableSet;

/**
 * Depth-first search for drives for every segment of one chunk, least-filled drives first, with backtracking.
 *
 * <p>Segments of a group are interchangeable for placement, and so are the groups of a chunk, so the search only
 * visits drive choices in ascending pool order within a group, and groups in ascending order of their first drive.
 * That removes permutations without losing any placement.
 *
 * <p>Before searching, one greedy pass puts each segment on the drive whose fill ratio after taking it is lowest,
 * looking at the first {@value #WINDOW} fitting drives of each size bucket: a large segment goes to a large drive,
 * which keeps the spread of fill ratios small. The search runs only when the
 * greedy pass gets stuck. The search is bounded by a budget of steps (candidate
 * drives looked at), not by a clock, so a plan is the same on any machine.
 */
final class ChunkSearch {

    static final int WINDOW = 16;

    private final CandidatePool candidates;
    private final NavigableSet<DriveSpace> pool;
    private final int groupSize;
    private final int segments;
    private final boolean separateStripes;
    private final long length;
    private final Separation.Rule rule;
    private final int[] domains;
    private final int[] taken;
    private final long budget;
    private final DriveSpace[] chosen;
    private long steps;
    private boolean exhausted;

    /**
     * @param taken scratch counters, one per drive index, all zero; left all zero
     */
    ChunkSearch(CandidatePool candidates, Shape shape, long length, Separation.Rule rule, int[] domains,
            int[] taken, long budget) {
        this.candidates = candidates;
        this.pool = candidates.all;
        this.groupSize = shape.groupSize();
        this.segments = shape.segments();
        this.separateStripes = shape.separateStripes();
        this.length = length;
        this.rule = rule;
        this.domains = domains;
        this.taken = taken;
        this.budget = budget;
        this.chosen = new DriveSpace[segments];
    }

    /** The drive for each segment in chunk order (group by group), or null if none found within the budget. */
    DriveSpace[] run() {
        boolean found = greedy() || dfs(0);
        for (DriveSpace d : chosen) {
            if (d != null) {
                taken[d.index] = 0;
            }
        }
        return found ? chosen.clone() : null;
    }

    boolean exhausted() {
        return exhausted;
    }

    long steps() {
        return steps;
    }

    private boolean greedy() {
        for (int slot = 0; slot < segments; slot++) {
            int groupStart = slot - slot % groupSize;
            DriveSpace best = null;
            double bestScore = 0;
            for (NavigableSet<DriveSpace> bucket : candidates.bySize()) {
                int seen = 0;
                for (DriveSpace d : bucket) {
                    if (++steps > budget) {
                        exhausted = true;
                        break;
                    }
                    int t = taken[d.index];
                    if (t >= rule.perDrive() || !d.fits(length, t) || !apart(d, groupStart, slot)) {
                        continue;
                    }
                    double score = (double) (d.allocated() + (t + 1) * length) / d.capacity;
                    if (best == null || score < bestScore) {
                        best = d;
                        bestScore = score;
                    }
                    if (++seen >= WINDOW) {
                        break;
                    }
                }
            }
            if (best == null || exhausted) {
                for (int i = 0; i < slot; i++) {
                    taken[chosen[i].index]--;
                    chosen[i] = null;
                }
                return false;
            }
            chosen[slot] = best;
            taken[best.index]++;
        }
        return true;
    }

    private boolean dfs(int slot) {
        if (slot == segments) {
            return true;
        }
        int inGroup = slot % groupSize;
        DriveSpace from = inGroup > 0 ? chosen[slot - 1] : slot > 0 ? chosen[slot - groupSize] : null;
        boolean inclusive = !rule.distinctDrives();
        Iterator<DriveSpace> it = from == null ? pool.iterator() : pool.tailSet(from, inclusive).iterator();
        while (it.hasNext()) {
            DriveSpace d = it.next();
            if (++steps > budget) {
                exhausted = true;
                return false;
            }
            int t = taken[d.index];
            if (t >= rule.perDrive() || !d.fits(length, t) || !apart(d, slot - inGroup, slot)) {
                continue;
            }
            chosen[slot] = d;
            taken[d.index] = t + 1;
            if (dfs(slot + 1)) {
                return true;
            }
            taken[d.index] = t;
            chosen[slot] = null;
            if (exhausted) {
                return false;
            }
        }
        return false;
    }

    /**
     * Whether {@code d} keeps the group (slots groupStart until slot) within the per-target and per-domain limits,
     * and, when stripes are kept apart, holds nothing of an earlier group of the chunk.
     */
    private boolean apart(DriveSpace d, int groupStart, int slot) {
        int sameTarget = 0;
        int sameDomain = 0;
        int sameDrive = 0;
        for (int i = groupStart; i < slot; i++) {
            DriveSpace o = chosen[i];
            if (o.index == d.index) {
                sameDrive++;
            }
            if (o.targetIndex == d.targetIndex && ++sameTarget >= rule.perTarget()) {
                return false;
            }
            if (domains != null && domains[o.index] == domains[d.index] && ++sameDomain >= rule.perDomain()) {
                return false;
            }
        }
        // taken counts the drive's segments in every earlier slot of the chunk; more than this group's are another's.
        return !separateStripes || taken[d.index] == sameDrive;
    }
}
