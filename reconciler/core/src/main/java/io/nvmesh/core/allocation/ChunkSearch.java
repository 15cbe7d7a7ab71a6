package io.nvmesh.core.allocation;

import java.util.Iterator;

/**
 * Depth-first search for drives for every segment of one chunk, least-filled drives first, with backtracking.
 *
 * <p>Segments of a group are interchangeable for placement, and so are the groups of a chunk, so the search only
 * visits drive choices in ascending pool order within a group, and groups in ascending order of their first drive.
 * That removes permutations without losing any placement.
 *
 * <p>Before searching, one greedy pass puts each segment on the most abundant target that can take it (most free
 * bytes on the target and in its failure domains, each relative to its level's average), and there on the drive
 * whose fill ratio after taking it is lowest. Spending abundant targets first keeps scarce ones for the groups that
 * need many targets or domains; within a target, a large segment goes to a large drive. The search runs only when
 * the greedy pass gets stuck. Both are bounded by a budget of steps (candidate drives looked at), not by a clock, so
 * a plan is the same on any machine.
 */
final class ChunkSearch {

    static final int WINDOW = 16;
    /** Targets this close in abundance (a fraction of the most abundant) are told apart by fill ratio instead. */
    static final double NEAR = 0.05;
    /** How many equally abundant targets the greedy pass compares by fill ratio. */
    static final int NEAR_TARGETS = 4;

    private final CandidatePool candidates;
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
        boolean found = greedy() || largestFirst() || dfs(0);
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

    /**
     * One pass, segment by segment: the most abundant target (see {@link CandidatePool#abundance}) that can take the
     * segment, and on it the drive whose fill ratio after taking it is lowest. Abundance counts what the chunk took
     * so far, so a chunk spreads. Only the {@value #WINDOW} + 2 × segments most abundant targets are ranked, at most
     * as many per domain of the policy's scope as the chunk may put there; the list grows fourfold while none of them
     * can take a segment.
     */
    private boolean greedy() {
        int count = WINDOW + 2 * segments;
        int perDomain = rule.perDomain() * (segments / groupSize);
        int[] ranked = candidates.mostAbundant(count, domains, perDomain);
        for (int slot = 0; slot < segments; slot++) {
            int groupStart = slot - slot % groupSize;
            int target = best(ranked, groupStart, slot);
            while (target < 0 && !exhausted && ranked.length < candidates.targets()) {
                count *= 4;
                perDomain *= 4;
                ranked = candidates.mostAbundant(count, domains, perDomain);
                target = best(ranked, groupStart, slot);
            }
            if (target < 0 || exhausted) {
                for (int i = 0; i < slot; i++) {
                    taken[chosen[i].index]--;
                    chosen[i] = null;
                }
                candidates.clearChunk();
                return false;
            }
            taken[chosen[slot].index]++;
            candidates.takeForChunk(target, length);
        }
        candidates.clearChunk();
        return true;
    }

    /**
     * When the abundance pass is stuck (a nearly full fleet), a second pass gives each segment the drive with the
     * largest free extent, as NVMesh's own allocator would: whatever chunk length that allocator could place, this
     * pass places too, so splitting never makes smaller chunks than it would. One look at each drive per segment, a
     * fixed cost, so it does not spend the search budget that the depth-first search after it needs.
     */
    private boolean largestFirst() {
        for (int slot = 0; slot < segments; slot++) {
            int groupStart = slot - slot % groupSize;
            DriveSpace best = null;
            long bestFree = 0;
            for (DriveSpace d : candidates.all) {
                int n = taken[d.index];
                long left = d.largestFree() - n * length;
                if (n >= rule.perDrive() || !d.fits(length, n) || best != null && (left < bestFree
                        || left == bestFree && d.index > best.index) || !apart(d, groupStart, slot)) {
                    continue;
                }
                best = d;
                bestFree = left;
            }
            if (best == null) {
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

    /**
     * Puts in {@code chosen[slot]} a drive for the slot and returns its target, or -1. {@code targets} are in
     * descending order of abundance when ranked (the chunk only lowers it since). Targets within {@value #NEAR} of the
     * most abundant one that can take the segment count as equally abundant, and among the drives of the first
     * {@value #NEAR_TARGETS} of them the one whose fill ratio after taking the segment is lowest wins, so that equal
     * targets still fill their drives evenly.
     */
    private int best(int[] targets, int groupStart, int slot) {
        double top = -1;
        int usable = 0;
        int bestTarget = -1;
        double bestRatio = 0;
        double bestScore = 0;
        DriveSpace bestDrive = null;
        for (int t : targets) {
            if (top >= 0 && (usable >= NEAR_TARGETS || candidates.rankScore(t) < top * (1 - NEAR))) {
                break;
            }
            double score = candidates.abundance(t);
            if (top >= 0 && score < top * (1 - NEAR) || !targetApart(candidates.drivesOf(t)[0], groupStart, slot)) {
                if (++steps > budget) {
                    exhausted = true;
                    return -1;
                }
                continue;
            }
            DriveSpace drive = null;
            double ratio = 0;
            for (DriveSpace d : candidates.drivesOf(t)) {
                if (++steps > budget) {
                    exhausted = true;
                    return -1;
                }
                int n = taken[d.index];
                if (n >= rule.perDrive() || !d.fits(length, n) || !apart(d, groupStart, slot)) {
                    continue;
                }
                double after = (double) (d.allocated() + (n + 1) * length) / d.capacity;
                if (drive == null || after < ratio) {
                    drive = d;
                    ratio = after;
                }
            }
            if (drive == null) {
                continue;
            }
            usable++;
            top = Math.max(top, score);
            boolean near = bestTarget >= 0 && bestScore >= top * (1 - NEAR);
            if (!near || ratio < bestRatio || ratio == bestRatio && candidates.ranksBefore(score, t, bestScore,
                    bestTarget)) {
                bestTarget = t;
                bestScore = score;
                bestRatio = ratio;
                bestDrive = drive;
            }
        }
        if (bestTarget >= 0) {
            chosen[slot] = bestDrive;
        }
        return bestTarget;
    }

    /** Whether the group (slots groupStart until slot) has room for one more segment on the drive's target. */
    private boolean targetApart(DriveSpace d, int groupStart, int slot) {
        int sameTarget = 0;
        for (int i = groupStart; i < slot; i++) {
            if (chosen[i].targetIndex == d.targetIndex && ++sameTarget >= rule.perTarget()) {
                return false;
            }
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
        Iterator<DriveSpace> it = from == null ? candidates.leastFilled().iterator()
                : candidates.leastFilledFrom(from, inclusive);
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
