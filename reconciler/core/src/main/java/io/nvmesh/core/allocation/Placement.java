package io.nvmesh.core.allocation;

import io.nvmesh.schema.Size;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Places chunks and single segments on a {@link Workspace}: tries each rung of the separation ladder, splits a
 * volume into smaller chunks when no single chunk fits, and explains a failure by the constraint that bites.
 */
final class Placement {

    /** A fixed-size volume or extension is refused rather than cut into more chunks than this. */
    static final int MAX_CHUNKS = 64;
    /** {@code capacity: max} stops after this many chunks. */
    static final int MAX_CHUNKS_FOR_MAX = 256;
    /** {@code capacity: max} does not add a chunk that holds less data than this. */
    static final long MIN_MAX_CHUNK = Size.GiB;

    private final Workspace ws;
    private final long budget;
    private final int[] taken;

    Placement(Workspace ws, long budget) {
        this.ws = ws;
        this.budget = budget;
        this.taken = new int[ws.drives.size()];
    }

    /** Chunks placed on the workspace, or (with nothing changed) the reason none could be. */
    record Result(List<Chunk> chunks, String reason) {
        boolean placed() {
            return reason == null;
        }

        long dataCapacity() {
            return Chunk.dataBytes(chunks);
        }
    }

    private record Taken(DriveSpace drive, long offset, long length) {
    }

    private record Found(DriveSpace[] drives, boolean exhausted) {
    }

    /** One attempt's result, and whether it failed after placing some chunks (space left that no chunk could use). */
    private record Attempt(Result result, boolean partly) {
    }

    /**
     * Places chunks holding at least {@code bytes} of data (or, with {@code max}, as much as fits).
     *
     * <p>Splitting takes the longest chunk that fits, then the longest of what is left, and so on. That can strand
     * space: with four racks of 10 GiB free, a 3-copy rack-scoped volume of 12 GiB takes 10 GiB from three racks, and
     * the last 2 GiB find one rack with room. When a volume fails that way (some chunks fitted, the rest did not), it
     * is tried again with chunks capped at a half, a quarter ... of it, down to {@value #MAX_CHUNKS} parts: shorter
     * chunks go to the most abundant domains in turn, so they use every rack evenly (there: four chunks of 3 GiB, one
     * per three racks). The first reason stands if no cap places it. Volumes that place at once never pay for this,
     * nor do volumes that a relaxation ({@link CandidatePool#room}) shows no split could place (a full fleet).
     *
     * @param verb what the reason says could not be done, e.g. {@code place volume db-01}
     */
    Result place(String verb, VolumePolicy p, long bytes, boolean max, int firstIndex) {
        Attempt first = attempt(verb, p, bytes, max, firstIndex, Long.MAX_VALUE);
        if (first.result().placed() || !first.partly() || max) {
            return first.result();
        }
        Shape shape = Shape.of(p);
        int limit = Separation.limit(p.protection(), shape.groupSize(), shape.tolerance());
        double footprint = (double) bytes * shape.groupSize() / shape.dataPerGroup();
        if (ws.pool(p).room(ws.level(p.domainScope()), (double) limit / shape.groupSize()) < footprint) {
            return first.result(); // not even the relaxation holds it: no split can place it
        }
        for (int parts = 2; parts <= MAX_CHUNKS; parts *= 2) {
            long cap = shape.segmentLengthFor(-Math.floorDiv(-bytes, (long) parts));
            Attempt capped = attempt(verb, p, bytes, false, firstIndex, cap);
            if (capped.result().placed()) {
                return capped.result();
            }
        }
        return first.result();
    }

    /** One placement attempt; no chunk's segments are longer than {@code cap} (ignored for {@code max}). */
    private Attempt attempt(String verb, VolumePolicy p, long bytes, boolean max, int firstIndex, long cap) {
        List<String> undefined = ws.undefinedClasses(p);
        if (!undefined.isEmpty()) {
            return new Attempt(new Result(List.of(), "cannot " + verb + ": policy " + p.name() + " names "
                    + String.join(", ", undefined) + ", which " + (undefined.size() == 1 ? "is" : "are")
                    + " not defined"), false);
        }
        Shape shape = Shape.of(p);
        CandidatePool pool = ws.pool(p);
        int[] domains = ws.domainIds(p.domainScope());
        // Stripes kept apart: a drive can hold segments of one group only, so more sharing than that is no rung.
        List<Separation.Rule> rules = Separation.ladder(p.protection(), shape.groupSize(), shape.tolerance(),
                shape.separateStripes() ? shape.groupSize() : shape.segments());
        List<Chunk> chunks = new ArrayList<>();
        List<Taken> takenExtents = new ArrayList<>();
        long remaining = bytes;
        String firstFailure = null;
        while (max || remaining > 0) {
            if (chunks.size() >= (max ? MAX_CHUNKS_FOR_MAX : MAX_CHUNKS)) {
                if (max) {
                    break;
                }
                rollback(takenExtents);
                return new Attempt(new Result(List.of(), "cannot " + verb + " ("
                        + shape.describe(shape.segmentLengthFor(bytes)) + "): it would take more than " + MAX_CHUNKS
                        + " chunks; " + firstFailure), false);
            }
            long want = max ? largestFree(pool) : Math.min(cap, shape.segmentLengthFor(remaining));
            Found found = want >= Extent.ALIGNMENT ? search(pool, shape, want, rules, domains) : null;
            long length = want;
            if (found == null || found.drives() == null) {
                if (firstFailure == null) {
                    firstFailure = explain(p, shape, pool, domains, Math.max(want, Extent.ALIGNMENT),
                            found != null && found.exhausted());
                }
                length = largestFeasible(pool, shape, want - Extent.ALIGNMENT, rules, domains);
                if (length == 0) {
                    break;
                }
                found = search(pool, shape, length, rules, domains);
            }
            if (max && !chunks.isEmpty() && length * shape.dataSegments() < MIN_MAX_CHUNK) {
                break;
            }
            chunks.add(commit(found.drives(), shape, length, firstIndex + chunks.size(), takenExtents));
            remaining -= length * shape.dataSegments();
        }
        if (chunks.isEmpty() || !max && remaining > 0) {
            rollback(takenExtents);
            String what = max ? shape.describe("max") : shape.describe(shape.segmentLengthFor(bytes));
            String partly = chunks.isEmpty() ? "" : "; split into smaller chunks, only "
                    + Size.ofBytes(bytes - remaining).human() + " of " + Size.ofBytes(bytes).human() + " fits";
            return new Attempt(new Result(List.of(), "cannot " + verb + " (" + what + "): " + firstFailure + partly),
                    !chunks.isEmpty());
        }
        return new Attempt(new Result(chunks, null), false);
    }

    /** Moves one segment of {@code v} to a drive that keeps its group apart; {@code to} is null if none does. */
    SegmentMove move(VolumeAllocation v, VolumePolicy p, int c, int g, int s, Set<Integer> pending, String cause) {
        Group group = v.chunks().get(c).groups().get(g);
        Segment seg = group.segments().get(s);
        Extent from = seg.extent();
        String where = "cannot move segment " + s + " of group " + g + " in chunk " + c + " of volume " + v.volume()
                + " off drive " + from.serial() + " (" + cause + "): ";
        if (p == null) {
            return new SegmentMove(c, g, s, seg.role(), from, null, where + "its policy " + v.policy()
                    + " no longer exists", group.dataShare(s));
        }
        List<String> undefined = ws.undefinedClasses(p);
        if (!undefined.isEmpty()) {
            return new SegmentMove(c, g, s, seg.role(), from, null, where + "policy " + p.name() + " names "
                    + String.join(", ", undefined) + ", not defined", group.dataShare(s));
        }
        long length = from.length();
        List<DriveSpace> others = new ArrayList<>();
        for (Segment o : group.segments()) {
            DriveSpace d = ws.bySerial.get(o.extent().serial());
            if (o.index() != s && !pending.contains(o.index()) && d != null) {
                others.add(d);
            }
        }
        Set<DriveSpace> inChunk = new HashSet<>();
        for (Group og : v.chunks().get(c).groups()) {
            for (Segment o : og.segments()) {
                DriveSpace d = ws.bySerial.get(o.extent().serial());
                if (d != null && !(og.index() == g && o.index() == s)) {
                    inChunk.add(d);
                }
            }
        }
        DriveSpace source = ws.bySerial.get(from.serial());
        int tolerance = (int) group.segments().stream().filter(x -> x.role().redundant()).count();
        int[] domains = ws.domainIds(v.domainScope());
        int segments = v.chunks().get(c).groups().size() * group.segments().size();
        for (Separation.Rule rule : Separation.ladder(v.protection(), group.segments().size(), tolerance, segments)) {
            for (DriveSpace d : ws.pool(p).leastFilled()) {
                if (d == source || d.largestFree() < length || rule.distinctDrives() && inChunk.contains(d)
                        || !apart(d, others, rule, domains)) {
                    continue;
                }
                long offset = ws.allocate(d, length);
                // The old extent stays taken: its target may still serve it until it acks the move (the reconciler
                // records it as held, and frees it once released).
                return new SegmentMove(c, g, s, seg.role(), from, new Extent(d.serial, offset, length), cause,
                        group.dataShare(s));
            }
        }
        String scope = v.domainScope() == null ? "" : " and " + v.domainScope();
        return new SegmentMove(c, g, s, seg.role(), from, null, where + "no drive" + classes(p) + " with "
                + Size.ofBytes(length).human() + " free sits on a target" + scope
                + " apart from the group's other segments (protection " + v.protection() + ")", group.dataShare(s));
    }

    private static boolean apart(DriveSpace d, List<DriveSpace> others, Separation.Rule rule, int[] domains) {
        int sameTarget = 0;
        int sameDomain = 0;
        for (DriveSpace o : others) {
            if (o.targetIndex == d.targetIndex && ++sameTarget >= rule.perTarget()) {
                return false;
            }
            if (domains != null && domains[o.index] == domains[d.index] && ++sameDomain >= rule.perDomain()) {
                return false;
            }
        }
        return true;
    }

    private Found search(CandidatePool pool, Shape shape, long length, List<Separation.Rule> rules,
            int[] domains) {
        int needed = shape.drivesNeeded(rules.get(rules.size() - 1).perTarget());
        if (shape.separateStripes() && drivesWithFree(pool, length, needed) < needed) {
            return new Found(null, false); // too few drives for the stripes: no search can succeed
        }
        boolean exhausted = false;
        for (Separation.Rule rule : rules) {
            ChunkSearch s = new ChunkSearch(pool, shape, length, rule, domains, taken, budget);
            DriveSpace[] drives = s.run();
            if (drives != null) {
                return new Found(drives, false);
            }
            exhausted |= s.exhausted();
        }
        return new Found(null, exhausted);
    }

    /** The largest segment length up to {@code hi} for which a chunk places, or 0. Placement is monotone in length. */
    private long largestFeasible(CandidatePool pool, Shape shape, long hi, List<Separation.Rule> rules,
            int[] domains) {
        long lo = 1;
        long top = hi / Extent.ALIGNMENT;
        if (top < 1 || !plausible(pool, shape, Extent.ALIGNMENT) || search(pool, shape, Extent.ALIGNMENT, rules,
                domains).drives() == null) {
            return 0;
        }
        while (lo < top) {
            long mid = lo + (top - lo + 1) / 2;
            long len = mid * Extent.ALIGNMENT;
            if (plausible(pool, shape, len) && search(pool, shape, len, rules, domains).drives() != null) {
                lo = mid;
            } else {
                top = mid - 1;
            }
        }
        return lo * Extent.ALIGNMENT;
    }

    /** A cheap necessary condition: enough room for every segment of the chunk. */
    private static boolean plausible(CandidatePool pool, Shape shape, long length) {
        long slots = 0;
        for (DriveSpace d : pool.all) {
            if (d.largestFree() >= length) {
                slots += d.slots(length);
                if (slots >= shape.segments()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Drives with {@code length} free, counted up to {@code enough} (a fleet of 24,000 drives need not be walked). */
    private static int drivesWithFree(CandidatePool pool, long length, int enough) {
        int n = 0;
        for (DriveSpace d : pool.all) {
            if (d.largestFree() >= length && ++n >= enough) {
                break;
            }
        }
        return n;
    }

    private static long largestFree(CandidatePool pool) {
        long max = 0;
        for (DriveSpace d : pool.all) {
            max = Math.max(max, d.largestFree());
        }
        return max;
    }

    private Chunk commit(DriveSpace[] drives, Shape shape, long length, int index, List<Taken> log) {
        List<Group> groups = new ArrayList<>(shape.groups());
        for (int g = 0; g < shape.groups(); g++) {
            List<Segment> segments = new ArrayList<>(shape.groupSize());
            for (int s = 0; s < shape.groupSize(); s++) {
                DriveSpace d = drives[g * shape.groupSize() + s];
                long offset = ws.allocate(d, length);
                log.add(new Taken(d, offset, length));
                segments.add(new Segment(s, shape.role(s), new Extent(d.serial, offset, length)));
            }
            groups.add(new Group(g, segments));
        }
        return new Chunk(index, groups);
    }

    private void rollback(List<Taken> log) {
        for (int i = log.size() - 1; i >= 0; i--) {
            Taken t = log.get(i);
            ws.release(t.drive(), t.offset(), t.length());
        }
        log.clear();
    }

    /** Names the first necessary condition that fails for a chunk of {@code length}, or says the search gave up. */
    private String explain(VolumePolicy p, Shape shape, CandidatePool pool, int[] domains, long length,
            boolean exhausted) {
        String free = Size.ofBytes(length).human() + " free" + classes(p);
        if (pool.isEmpty()) {
            return "no healthy, uncordoned drive on a healthy target" + (classes(p).isEmpty() ? " exists"
                    : " is" + classes(p));
        }
        int limit = Separation.limit(p.protection(), shape.groupSize(), shape.tolerance());
        int stripeDrives = shape.separateStripes() ? shape.drivesNeeded(limit) : 0;
        Set<Integer> targets = new HashSet<>();
        Set<Integer> domainValues = new HashSet<>();
        int drivesFree = 0;
        long slots = 0;
        long largest = 0;
        for (DriveSpace d : pool.all) {
            largest = Math.max(largest, d.largestFree());
            if (d.largestFree() >= length) {
                drivesFree++;
                targets.add(d.targetIndex);
                if (domains != null) {
                    domainValues.add(domains[d.index]);
                }
                slots += d.slots(length);
            }
        }
        if (targets.isEmpty()) {
            return "no drive has " + free + " (the largest free extent is " + Size.ofBytes(largest).human() + ")";
        }
        int need = (shape.groupSize() + limit - 1) / limit;
        String group = " (a group of " + shape.groupSize() + " needs " + need + ")";
        if (domains != null && domainValues.size() < need) {
            return "only " + count(domainValues.size(), "target") + " in distinct " + p.domainScope() + "s "
                    + has(domainValues.size()) + " " + free + group;
        }
        if (targets.size() < need) {
            return "only " + count(targets.size(), "target") + " " + has(targets.size()) + " " + free + group;
        }
        if (pool.all.size() < stripeDrives) {
            return stripes(p, shape, stripeDrives) + ", the fleet offers " + count(pool.all.size(), "drive")
                    + classes(p) + shareHint(p);
        }
        if (drivesFree < stripeDrives) {
            return stripes(p, shape, stripeDrives) + ", only " + count(drivesFree, "drive") + " " + has(drivesFree)
                    + " " + free + shareHint(p);
        }
        if (slots < shape.segments()) {
            return "only " + count(slots, "segment") + " of " + Size.ofBytes(length).human() + " fit" + classes(p)
                    + " (a chunk needs " + shape.segments() + ")";
        }
        if (exhausted) {
            return "no placement found within the search budget of " + budget + " steps per attempt";
        }
        return "no arrangement keeps every group of " + shape.groupSize() + " apart (protection " + p.protection()
                + (p.domainScope() == null ? "" : ", across " + p.domainScope() + "s")
                + (shape.separateStripes() ? ", each stripe on drives of its own" : "") + ") with " + free;
    }

    /** {@code stripe width 2 needs 4 distinct drives per chunk (2 per stripe)}. */
    private static String stripes(VolumePolicy p, Shape shape, int drives) {
        int perStripe = drives / shape.groups();
        return "stripe width " + shape.groups() + " needs " + drives + " distinct drives per chunk"
                + (perStripe == 1 ? "" : " (" + perStripe + " per stripe)");
    }

    private static String shareHint(VolumePolicy p) {
        return "; to place it on shared drives anyway, set allowSharedDrives: true in policy " + p.name();
    }

    private static String classes(VolumePolicy p) {
        String out = "";
        if (!p.driveClasses().isEmpty()) {
            out += " on drive class" + (p.driveClasses().size() > 1 ? "es " : " ") + String.join(", ", p.driveClasses());
        }
        if (!p.targetClasses().isEmpty()) {
            out += " in target class" + (p.targetClasses().size() > 1 ? "es " : " ")
                    + String.join(", ", p.targetClasses());
        }
        return out;
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String has(long n) {
        return n == 1 ? "has" : "have";
    }
}
