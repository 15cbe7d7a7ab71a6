package io.nvmesh.core.allocation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The eligible drives of one (drive classes, target classes) pair, least filled first, and the same drives by
 * target, with the free bytes of each target and of each failure domain (one level per domain scope the desired
 * policies name) kept current as extents come and go.
 *
 * <p>The free bytes say which targets are abundant: a group of {@code g} segments may put only one (or its
 * protection's limit) on a target or domain, so space piled on a few targets or domains is space most groups cannot
 * use, while a segment that needs no separation can use it all. {@link #abundance} ranks targets by their free bytes
 * and their domains', so that the planner spends abundant targets first and keeps scarce ones for the groups that
 * will need many targets or domains.
 */
final class CandidatePool {

    /** The pool's drives in inventory order: for scans whose result does not depend on order. */
    private final List<DriveSpace> members = new ArrayList<>();
    final List<DriveSpace> all = Collections.unmodifiableList(members);
    /**
     * The same drives least filled first, as of the last {@link #leastFilled} call: each entry holds the fill ratio
     * its drive had then. Drives whose free space changed since are marked in {@code stale} and re-sorted only when
     * the order is next asked for. Most chunks place by abundance and never ask (a fleet filled from empty asks
     * never), so they no longer pay two tree updates per segment placed.
     */
    private final TreeSet<Entry> order = new TreeSet<>(Entry.LEAST_FILLED);
    private Entry[] entries;
    private final Map<DriveSpace, Integer> memberOf = new IdentityHashMap<>();
    /** Per member (by position in {@link #members}), its target in the pool. */
    private int[] targetOf;
    private final BitSet stale = new BitSet();
    /** Per target of the pool (in inventory order): its drives in the pool, free bytes, and a tie-break. */
    private DriveSpace[][] drivesOf;
    private long[] free;
    private int[] tie;
    /** Per level (domain scope) and target: the target's domain; per level and domain: free bytes. */
    private int[][] domainOf = new int[0][];
    private long[][] domainFree;
    private int[] domainCount;
    /** Scratch for one chunk search: bytes the chunk being chosen takes per target and per domain. */
    private long[] chunkTaken;
    private long[][] chunkTakenIn;
    private final List<Integer> touched = new ArrayList<>();
    /** Scratch for {@link #mostAbundant}: the top targets per domain id, and the ids in use (null again after). */
    private TopK[] topOfDomain = new TopK[0];
    private int[] usedDomains = new int[16];
    private int usedCount;
    /** Abundance of each target when {@link #mostAbundant} ranked it. */
    private double[] ranked;

    void add(DriveSpace d) {
        memberOf.put(d, members.size());
        members.add(d);
    }

    /** A drive and the fill ratio by which it was last sorted. */
    private record Entry(DriveSpace drive, double ratio) {
        /**
         * Least filled first (by the ratio recorded in the entry); ties broken by a hash of the serial (spreads empty
         * drives over targets), then serial.
         */
        static final Comparator<Entry> LEAST_FILLED = (a, b) -> {
            int c = Double.compare(a.ratio, b.ratio);
            if (c != 0) {
                return c;
            }
            c = Integer.compare(a.drive.tieBreak, b.drive.tieBreak);
            return c != 0 ? c : a.drive.serial.compareTo(b.drive.serial);
        };
    }

    /**
     * The pool's drives least filled first ({@link Entry#LEAST_FILLED}), current as of this call: valid until
     * the next allocation or release on one of them.
     */
    Iterable<DriveSpace> leastFilled() {
        resort();
        return drives(order);
    }

    /** {@link #leastFilled} from {@code from} on (with it or without); {@code from} must be in the pool. */
    Iterator<DriveSpace> leastFilledFrom(DriveSpace from, boolean inclusive) {
        resort();
        return drives(order.tailSet(entries[memberOf.get(from)], inclusive)).iterator();
    }

    /** Puts the drives whose fill changed since the last call back in order: a cost per change, not per pool. */
    private void resort() {
        for (int i = stale.nextSetBit(0); i >= 0; i = stale.nextSetBit(i + 1)) {
            order.remove(entries[i]);
            entries[i] = new Entry(members.get(i), members.get(i).ratio());
            order.add(entries[i]);
        }
        stale.clear();
    }

    private static Iterable<DriveSpace> drives(Iterable<Entry> entries) {
        return () -> new Iterator<>() {
            private final Iterator<Entry> it = entries.iterator();

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public DriveSpace next() {
                return it.next().drive();
            }
        };
    }

    /**
     * Groups the drives added so far by target (in inventory order) and sums their free bytes, per target and per
     * domain.
     *
     * @param levels per domain scope, each drive's domain id (by drive index)
     */
    void seal(List<int[]> levels) {
        entries = new Entry[members.size()];
        targetOf = new int[members.size()];
        for (int m = 0; m < members.size(); m++) {
            entries[m] = new Entry(members.get(m), members.get(m).ratio());
            order.add(entries[m]);
        }
        Map<Integer, List<DriveSpace>> byTarget = new LinkedHashMap<>();
        members.stream().sorted((a, b) -> Integer.compare(a.index, b.index))
                .forEach(d -> byTarget.computeIfAbsent(d.targetIndex, k -> new ArrayList<>()).add(d));
        int n = byTarget.size();
        drivesOf = new DriveSpace[n][];
        free = new long[n];
        tie = new int[n];
        chunkTaken = new long[n];
        int i = 0;
        for (List<DriveSpace> ds : byTarget.values()) {
            drivesOf[i] = ds.toArray(DriveSpace[]::new);
            tie[i] = ds.get(0).target.id().hashCode() * 0x9E3779B1;
            for (DriveSpace d : ds) {
                targetOf[memberOf.get(d)] = i;
                free[i] += d.capacity - d.allocated();
                d.owners.add(this);
            }
            i++;
        }
        domainOf = new int[levels.size()][n];
        domainFree = new long[levels.size()][];
        domainCount = new int[levels.size()];
        chunkTakenIn = new long[levels.size()][];
        for (int l = 0; l < levels.size(); l++) {
            int[] ids = levels.get(l);
            int max = 0;
            for (int id : ids) {
                max = Math.max(max, id + 1);
            }
            domainFree[l] = new long[max];
            chunkTakenIn[l] = new long[max];
            boolean[] seen = new boolean[max];
            for (int t = 0; t < n; t++) {
                // A target's domain is its first drive's: drives of one target rarely differ, and this only ranks.
                int dom = ids[drivesOf[t][0].index];
                domainOf[l][t] = dom;
                domainFree[l][dom] += free[t];
                if (!seen[dom]) {
                    seen[dom] = true;
                    domainCount[l]++;
                }
            }
        }
    }

    /** A drive of the pool gained ({@code delta > 0}) or lost free bytes. */
    void freeChanged(DriveSpace d, long delta) {
        int m = memberOf.get(d);
        stale.set(m);
        int t = targetOf[m];
        free[t] += delta;
        for (int l = 0; l < domainOf.length; l++) {
            domainFree[l][domainOf[l][t]] += delta;
        }
    }

    /**
     * An upper bound on the bytes (data, mirrors and parity) that groups placing at most {@code share} of their bytes
     * on any target, and on any domain of {@code level} (-1: none), can still take from this pool: the largest F with
     * Σ min(free, share × F) ≥ F over targets, and over domains (a relaxation: whole segments, drives and alignment
     * ignored). Placement can only do worse, so a volume needing more cannot be placed by any split. Rounded up by a
     * billionth, so that an exact fit is not lost to floating point.
     */
    double room(int level, double share) {
        double f = waterFill(free, share);
        return (1 + 1e-9) * (level < 0 ? f : Math.min(f, waterFill(domainFree[level], share)));
    }

    /**
     * The largest F with Σ min(x_i, share × F) ≥ F: the least, over k with k × share < 1, of (the sum of all but the
     * k largest x_i) / (1 − k × share), since any k terms hold at most k × share × F.
     */
    private static double waterFill(long[] free, double share) {
        int k = share >= 1 ? 0 : (int) Math.ceil(1 / share) - 1;
        long[] top = new long[k];
        double sum = 0;
        for (long f : free) {
            long x = f;
            sum += x;
            for (int j = 0; j < k; j++) {
                if (x > top[j]) {
                    long t = top[j];
                    top[j] = x;
                    x = t;
                }
            }
        }
        double best = sum;
        for (int j = 0; j < k; j++) {
            sum -= top[j];
            best = Math.min(best, sum / (1 - (j + 1) * share));
        }
        return best;
    }

    int targets() {
        return drivesOf.length;
    }

    DriveSpace[] drivesOf(int target) {
        return drivesOf[target];
    }

    /**
     * How abundant a target is: the least, over the target and its domains, of their free bytes relative to the
     * average of their level (each up to the pool's free bytes, a common factor), less what the chunk being chosen
     * takes. A target is abundant only when it and each of its domains are: a small target in a large rack is scarce,
     * and so is a large target in a small zone, or alone in its rack. (A sum, or a product, ranks a small target high
     * for its large domain, or a lone large target high although its rack is no larger than others, and spends what
     * every group of that scope needs.)
     */
    double abundance(int target) {
        double score = (double) drivesOf.length * (free[target] - chunkTaken[target]);
        for (int l = 0; l < domainOf.length; l++) {
            int dom = domainOf[l][target];
            double rel = (double) domainCount[l] * (domainFree[l][dom] - chunkTakenIn[l][dom]);
            score = Math.min(score, rel);
        }
        return score;
    }

    /** Whether target {@code a} ranks before {@code b} at equal abundance (a fixed spread over targets). */
    boolean before(int a, int b) {
        return tie[a] != tie[b] ? tie[a] < tie[b] : a < b;
    }

    /** Counts a segment the chunk being chosen puts on the target, until {@link #clearChunk}. */
    void takeForChunk(int target, long length) {
        chunkTaken[target] += length;
        for (int l = 0; l < domainOf.length; l++) {
            chunkTakenIn[l][domainOf[l][target]] += length;
        }
        touched.add(target);
    }

    void clearChunk() {
        for (int t : touched) {
            chunkTaken[t] = 0;
            for (int l = 0; l < domainOf.length; l++) {
                chunkTakenIn[l][domainOf[l][t]] = 0;
            }
        }
        touched.clear();
    }

    /**
     * The {@code count} most abundant targets, most abundant first, with at most {@code perDomain} of them in one
     * domain of {@code domains} (by drive index; null: no such cap). Without the cap, a group that wants one segment
     * per rack would find the most abundant targets all in the most abundant rack.
     */
    int[] mostAbundant(int count, int[] domains, int perDomain) {
        int n = drivesOf.length;
        TopK all = new TopK(Math.min(count, n));
        if (domains == null || perDomain >= count) {
            for (int t = 0; t < n; t++) {
                all.offer(t, abundance(t));
            }
        } else {
            // By domain id (small, dense): a map boxed a key and made a lambda per target, per chunk placed. The
            // per-domain heaps are kept from chunk to chunk (emptied, not dropped): this runs once per chunk placed.
            for (int t = 0; t < n; t++) {
                int dom = domains[drivesOf[t][0].index];
                if (dom >= topOfDomain.length) {
                    topOfDomain = Arrays.copyOf(topOfDomain, Math.max(dom + 1, 2 * topOfDomain.length));
                }
                TopK top = topOfDomain[dom];
                if (top == null || top.heap.length != perDomain) {
                    top = new TopK(perDomain);
                    topOfDomain[dom] = top;
                }
                if (!top.inUse) {
                    top.inUse = true;
                    if (usedCount == usedDomains.length) {
                        usedDomains = Arrays.copyOf(usedDomains, 2 * usedCount);
                    }
                    usedDomains[usedCount++] = dom;
                }
                top.offer(t, abundance(t));
            }
            for (int u = 0; u < usedCount; u++) {
                TopK top = topOfDomain[usedDomains[u]];
                for (int i = 0; i < top.size; i++) {
                    all.offer(top.heap[i], top.score[i]);
                }
                top.size = 0;
                top.inUse = false;
            }
            usedCount = 0;
        }
        if (ranked == null) {
            ranked = new double[n];
        }
        int[] out = all.sorted();
        for (int t : out) {
            ranked[t] = abundance(t);
        }
        return out;
    }

    /** The k highest ranked targets seen: a min-heap by rank, so the lowest of them is the one to replace. */
    private final class TopK {
        final int[] heap;
        final double[] score;
        int size;
        /** Listed in {@code usedDomains} for the ranking under way. */
        boolean inUse;

        TopK(int k) {
            heap = new int[k];
            score = new double[k];
        }

        void offer(int t, double s) {
            if (size < heap.length) {
                heap[size] = t;
                score[size] = s;
                up(size++);
            } else if (heap.length > 0 && ranksBefore(s, t, score[0], heap[0])) {
                heap[0] = t;
                score[0] = s;
                down();
            }
        }

        /**
         * The targets, highest ranked first. {@link #ranksBefore} orders distinct targets strictly, so any sort gives
         * this order; an insertion sort of the few ranked (tens) boxes nothing.
         */
        int[] sorted() {
            int[] out = new int[size];
            double[] s = new double[size];
            for (int i = 0; i < size; i++) {
                int t = heap[i];
                double v = score[i];
                int j = i;
                while (j > 0 && ranksBefore(v, t, s[j - 1], out[j - 1])) {
                    out[j] = out[j - 1];
                    s[j] = s[j - 1];
                    j--;
                }
                out[j] = t;
                s[j] = v;
            }
            return out;
        }

        private void up(int i) {
            while (i > 0) {
                int parent = (i - 1) / 2;
                if (!ranksBefore(score[parent], heap[parent], score[i], heap[i])) {
                    return;
                }
                swap(i, parent);
                i = parent;
            }
        }

        private void down() {
            int i = 0;
            while (true) {
                int l = 2 * i + 1;
                int r = l + 1;
                int least = i;
                if (l < size && ranksBefore(score[least], heap[least], score[l], heap[l])) {
                    least = l;
                }
                if (r < size && ranksBefore(score[least], heap[least], score[r], heap[r])) {
                    least = r;
                }
                if (least == i) {
                    return;
                }
                swap(i, least);
                i = least;
            }
        }

        private void swap(int i, int j) {
            int h = heap[i];
            heap[i] = heap[j];
            heap[j] = h;
            double s = score[i];
            score[i] = score[j];
            score[j] = s;
        }
    }

    /** The target's abundance when it was last ranked: an upper bound of it during the chunk being chosen. */
    double rankScore(int target) {
        return ranked[target];
    }

    boolean ranksBefore(double sa, int a, double sb, int b) {
        return sa != sb ? sa > sb : before(a, b);
    }

    boolean isEmpty() {
        return members.isEmpty();
    }
}
