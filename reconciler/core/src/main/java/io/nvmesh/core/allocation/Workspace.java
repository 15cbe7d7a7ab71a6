package io.nvmesh.core.allocation;

import io.nvmesh.schema.DriveClass;
import io.nvmesh.schema.DriveIntent;
import io.nvmesh.schema.LabelSelector;
import io.nvmesh.schema.TargetClass;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The planner's mutable scratch state for one planning run: every drive's free list, and candidate pools (eligible
 * drives of a policy's drive and target classes, least filled first) kept in order as extents come and go.
 */
final class Workspace {

    final Inventory inventory;
    final DesiredState desired;
    final List<DriveSpace> drives = new ArrayList<>();
    final Map<String, DriveSpace> bySerial = new HashMap<>();
    final Set<String> evacuating = new HashSet<>();
    private final Map<String, CandidatePool> pools = new HashMap<>();
    private BitSet eligible;
    private final Map<String, int[]> domainIds = new HashMap<>();
    private final Map<String, BitSet> driveClassMembers = new HashMap<>();
    private final Map<String, BitSet> targetClassMembers = new HashMap<>();
    private LabelIndex driveLabels;
    private LabelIndex targetLabels;
    private final Map<String, DriveClass> driveClasses = new HashMap<>();
    private final Map<String, TargetClass> targetClasses = new HashMap<>();
    /**
     * Each recorded segment's drive (null: not in the inventory), in the order of {@code recorded.volumes()}, chunks,
     * groups and segments; volume {@code i}'s first segment is at {@code firstSegment[i]}. Found once here, so that
     * the planner's checks of untouched groups need no second look-up per segment.
     */
    DriveSpace[] segmentDrives;
    int[] firstSegment;
    /** Per drive index: data and redundant bytes of the recorded volumes' segments on it, as the state was read. */
    long[] recordedData;
    long[] recordedRedundant;
    /** The same sums for serials not in the inventory (their segments hold no space the planner can use). */
    final Map<String, long[]> offInventory = new HashMap<>();
    /** The domain scopes the desired policies name, sorted: the levels at which pools count free bytes. */
    private final List<String> scopes;

    Workspace(Inventory inventory, Allocations recorded, DesiredState desired) {
        this.inventory = inventory;
        this.desired = desired;
        Set<String> closed = new HashSet<>();
        for (DriveIntent i : desired.driveIntents()) {
            if (i.closedToNewExtents()) {
                closed.add(i.serial());
            }
            if (i.evacuate()) {
                evacuating.add(i.serial());
            }
        }
        scopes = desired.policies().stream().map(VolumePolicy::domainScope).filter(java.util.Objects::nonNull)
                .distinct().sorted().toList();
        desired.driveClasses().forEach(c -> driveClasses.put(c.name(), c));
        desired.targetClasses().forEach(c -> targetClasses.put(c.name(), c));
        addDrives(closed);
        if (!reserveByDrive(recorded)) {
            // Some extents overlap or lie outside their drive: reserve again one by one, which says which.
            drives.clear();
            bySerial.clear();
            addDrives(closed);
            reserveOneByOne(recorded);
            throw new IllegalStateException("recorded state is inconsistent: extents overlap (run nvmesh fsck)");
        }
    }

    private void addDrives(Set<String> closed) {
        int t = 0;
        for (Target target : inventory.targets()) {
            for (Drive d : target.drives()) {
                boolean eligible = d.health() == DriveHealth.OK && target.health() == TargetHealth.HEALTHY
                        && !closed.contains(d.serial());
                DriveSpace s = new DriveSpace(drives.size(), target, d, t, eligible);
                drives.add(s);
                bySerial.put(s.serial, s);
            }
            t++;
        }
    }

    /**
     * Reserves every recorded and held extent drive by drive: gathered per drive, sorted by offset, checked and taken
     * at once ({@link DriveSpace#reserveSorted}). The same free lists as {@link #reserveOneByOne}, without a sorted-map
     * update per extent (600,000 of them in a 100,000-volume state). On the way it sums each drive's recorded data and
     * redundant bytes, for the plan's usage before ({@link CapacityLedger#clusterTotals(Workspace)}). False if some
     * drive's extents overlap or one lies outside its drive; nothing is then reserved on that drive.
     */
    private boolean reserveByDrive(Allocations recorded) {
        List<VolumeAllocation> all = recorded.volumes();
        Walk walk;
        if (all.size() < PARALLEL_WALK_VOLUMES) {
            walk = new Walk(this, 0, all.size());
            walk.run(all);
        } else {
            // Two halves at once: planning keeps one core busy, and this walk is most of a plan that changes little.
            // The halves are joined in order, so the result is the one walk's.
            int split = all.size() / 2;
            Walk second = new Walk(this, split, all.size());
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread helper = new Thread(() -> {
                try {
                    second.run(all);
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            }, "nvmesh-plan-walk");
            helper.setDaemon(true);
            helper.start();
            walk = new Walk(this, 0, split);
            walk.run(all);
            try {
                done.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw e;
            }
            walk.append(second);
        }
        for (Extent e : recorded.held()) {
            DriveSpace d = bySerial.get(e.serial());
            if (d != null) {
                walk.add(d, e.offset(), e.length());
            }
        }
        recordedData = walk.data;
        recordedRedundant = walk.redundant;
        offInventory.putAll(walk.offInventory);
        firstSegment = walk.firstSegment;
        segmentDrives = walk.resolved;
        int n = walk.n;
        int[] count = walk.count;
        int[] driveOf = walk.driveOf;
        long[] offsets = walk.offsets;
        long[] lengths = walk.lengths;
        // Counting sort by drive, then each drive's few extents by offset.
        for (int i = 1; i < count.length; i++) {
            count[i] += count[i - 1];
        }
        long[] pairs = new long[2 * n];
        int[] next = java.util.Arrays.copyOf(count, drives.size());
        for (int i = 0; i < n; i++) {
            int at = 2 * next[driveOf[i]]++;
            pairs[at] = offsets[i];
            pairs[at + 1] = lengths[i];
        }
        boolean consistent = true;
        for (DriveSpace d : drives) {
            int from = 2 * count[d.index];
            int to = 2 * count[d.index + 1];
            if (from == to) {
                continue;
            }
            for (int i = from + 2; i < to; i += 2) {
                long o = pairs[i];
                long l = pairs[i + 1];
                int j = i - 2;
                for (; j >= from && pairs[j] > o; j -= 2) {
                    pairs[j + 2] = pairs[j];
                    pairs[j + 3] = pairs[j + 1];
                }
                pairs[j + 2] = o;
                pairs[j + 3] = l;
            }
            consistent &= d.reserveSorted(pairs, from, to);
        }
        return consistent;
    }

    /** Volumes at which {@link #reserveByDrive} walks the recorded state in two halves at once. */
    static final int PARALLEL_WALK_VOLUMES = 4096;

    /**
     * One pass over recorded volumes {@code [from, to)}: each segment's drive, each drive's recorded data and redundant
     * bytes, and the extents to reserve in walk order. Reads the workspace's drives and writes only its own fields.
     */
    private static final class Walk {
        private final Workspace ws;
        private final int from;
        private final int to;
        final long[] data;
        final long[] redundant;
        final Map<String, long[]> offInventory = new HashMap<>();
        /** Per drive index + 1: extents to reserve on it. */
        final int[] count;
        int[] firstSegment;
        DriveSpace[] resolved = new DriveSpace[1024];
        int segments;
        int n;
        int[] driveOf = new int[1024];
        long[] offsets = new long[1024];
        long[] lengths = new long[1024];

        Walk(Workspace ws, int from, int to) {
            this.ws = ws;
            this.from = from;
            this.to = to;
            data = new long[ws.drives.size()];
            redundant = new long[ws.drives.size()];
            count = new int[ws.drives.size() + 1];
            firstSegment = new int[to - from];
        }

        void run(List<VolumeAllocation> all) {
            // Indexed loops: the launcher runs C1 only, which allocates an iterator per loop (a million per walk).
            for (int vi = from; vi < to; vi++) {
                VolumeAllocation v = all.get(vi);
                firstSegment[vi - from] = segments;
                List<Chunk> chunks = v.chunks();
                for (int ci = 0; ci < chunks.size(); ci++) {
                    List<Group> groups = chunks.get(ci).groups();
                    for (int gi = 0; gi < groups.size(); gi++) {
                        Group g = groups.get(gi);
                        List<Segment> members = g.segments();
                        for (int si = 0; si < members.size(); si++) {
                            Extent e = members.get(si).extent();
                            long share = g.dataShare(si);
                            DriveSpace d = ws.bySerial.get(e.serial());
                            if (segments == resolved.length) {
                                resolved = Arrays.copyOf(resolved, segments * 2);
                            }
                            resolved[segments++] = d;
                            if (d == null) {
                                long[] sums = offInventory.computeIfAbsent(e.serial(), k -> new long[2]);
                                sums[0] += share;
                                sums[1] += e.length() - share;
                                continue;
                            }
                            data[d.index] += share;
                            redundant[d.index] += e.length() - share;
                            add(d, e.offset(), e.length());
                        }
                    }
                }
            }
        }

        void add(DriveSpace d, long offset, long length) {
            if (n == driveOf.length) {
                driveOf = Arrays.copyOf(driveOf, n * 2);
                offsets = Arrays.copyOf(offsets, n * 2);
                lengths = Arrays.copyOf(lengths, n * 2);
            }
            driveOf[n] = d.index;
            offsets[n] = offset;
            lengths[n] = length;
            count[d.index + 1]++;
            n++;
        }

        /** This walk followed by {@code next}, which walked the volumes right after this one's. */
        void append(Walk next) {
            for (int i = 0; i < data.length; i++) {
                data[i] += next.data[i];
                redundant[i] += next.redundant[i];
                count[i + 1] += next.count[i + 1];
            }
            next.offInventory.forEach((serial, sums) -> {
                long[] mine = offInventory.computeIfAbsent(serial, k -> new long[2]);
                mine[0] += sums[0];
                mine[1] += sums[1];
            });
            int[] first = Arrays.copyOf(firstSegment, firstSegment.length + next.firstSegment.length);
            for (int i = 0; i < next.firstSegment.length; i++) {
                first[firstSegment.length + i] = segments + next.firstSegment[i];
            }
            firstSegment = first;
            resolved = Arrays.copyOf(resolved, segments + next.segments);
            System.arraycopy(next.resolved, 0, resolved, segments, next.segments);
            segments += next.segments;
            driveOf = Arrays.copyOf(driveOf, n + next.n);
            offsets = Arrays.copyOf(offsets, n + next.n);
            lengths = Arrays.copyOf(lengths, n + next.n);
            System.arraycopy(next.driveOf, 0, driveOf, n, next.n);
            System.arraycopy(next.offsets, 0, offsets, n, next.n);
            System.arraycopy(next.lengths, 0, lengths, n, next.n);
            n += next.n;
        }
    }

    /** Reserves recorded extents in recorded order, then held ones; throws at the first that is not free. */
    private void reserveOneByOne(Allocations recorded) {
        for (VolumeAllocation v : recorded.volumes()) {
            for (Extent e : v.extents()) {
                DriveSpace d = bySerial.get(e.serial());
                if (d != null && !d.reserve(e.offset(), e.length())) {
                    throw new IllegalStateException("recorded state is inconsistent: extent " + e + " of volume "
                            + v.volume() + " overlaps another or lies outside its drive (run nvmesh fsck)");
                }
            }
        }
        for (Extent e : recorded.held()) {
            DriveSpace d = bySerial.get(e.serial());
            if (d != null && !d.reserve(e.offset(), e.length())) {
                throw new IllegalStateException("recorded state is inconsistent: held extent " + e
                        + " overlaps another or lies outside its drive (run nvmesh fsck)");
            }
        }
    }

    int targetCount() {
        return inventory.targets().size();
    }

    /** Names of drive or target classes the policy asks for that are not defined, or empty. */
    List<String> undefinedClasses(VolumePolicy p) {
        List<String> missing = new ArrayList<>();
        p.driveClasses().stream().filter(n -> !driveClasses.containsKey(n)).forEach(n -> missing.add("drive class " + n));
        p.targetClasses().stream().filter(n -> !targetClasses.containsKey(n)).forEach(n -> missing.add("target class " + n));
        return missing;
    }

    /** Eligible drives of the policy's classes, least filled first. Built on first use, then kept in order. */
    CandidatePool pool(VolumePolicy p) {
        String key = String.join(",", p.driveClasses()) + "|" + String.join(",", p.targetClasses());
        CandidatePool pool = pools.get(key);
        if (pool == null) {
            BitSet members = eligible();
            if (!p.driveClasses().isEmpty()) {
                BitSet any = new BitSet(drives.size());
                p.driveClasses().forEach(n -> any.or(driveClassMembers(n)));
                members.and(any);
            }
            if (!p.targetClasses().isEmpty()) {
                BitSet any = new BitSet(drives.size());
                p.targetClasses().forEach(n -> any.or(targetClassMembers(n)));
                members.and(any);
            }
            pool = new CandidatePool();
            for (int i = members.nextSetBit(0); i >= 0; i = members.nextSetBit(i + 1)) {
                pool.add(drives.get(i));
            }
            pool.seal(scopes.stream().map(this::domainIds).toList());
            pools.put(key, pool);
        }
        return pool;
    }

    /** A copy of the eligible drives, by index (one walk over the drives, not one per pool: 100 pools, 120,000 drives). */
    private BitSet eligible() {
        if (eligible == null) {
            eligible = new BitSet(drives.size());
            for (DriveSpace d : drives) {
                if (d.eligible) {
                    eligible.set(d.index);
                }
            }
        }
        return (BitSet) eligible.clone();
    }

    /**
     * Drives a drive class selects, by drive index. Many policies share a class (100,000 volumes may name 200
     * policies over 100 classes), many drives share their labels, and a selector reads only a few keys, so it runs once
     * per distinct value of those keys ({@link LabelIndex}).
     */
    private BitSet driveClassMembers(String name) {
        return driveClassMembers.computeIfAbsent(name, n -> {
            if (driveLabels == null) {
                driveLabels = new LabelIndex(drives, d -> d.drive.labels());
            }
            return driveLabels.select(driveClasses.get(n).selector());
        });
    }

    /** Drives on the targets a target class selects, by drive index. */
    private BitSet targetClassMembers(String name) {
        return targetClassMembers.computeIfAbsent(name, n -> {
            if (targetLabels == null) {
                targetLabels = new LabelIndex(drives, d -> d.target.labels());
            }
            return targetLabels.select(targetClasses.get(n).selector());
        });
    }

    /**
     * Every drive's label set (its own, or its target's), numbered once, and selectors evaluated per distinct
     * projection of those sets onto the keys a selector reads: 100 classes over 120,000 drives in 20,000 label sets
     * took 2,000,000 selector runs, now a few hundred. A selector's verdict depends only on the values (or absence) of
     * its own keys, so the projection gives the same answer as the whole set.
     */
    private static final class LabelIndex {
        private final int[] setOf;
        private final List<Map<String, String>> sets = new ArrayList<>();
        private final Map<Set<String>, Projection> projections = new HashMap<>();

        /** Per label set, the id of its projection; per projection id, the projected labels. */
        private record Projection(int[] of, List<Map<String, String>> labels) {
        }

        LabelIndex(List<DriveSpace> drives, java.util.function.Function<DriveSpace, Map<String, String>> labels) {
            setOf = new int[drives.size()];
            Map<Map<String, String>, Integer> ids = new HashMap<>();
            Map<String, String> last = null;
            int lastId = -1;
            for (DriveSpace d : drives) {
                Map<String, String> l = labels.apply(d);
                if (l != last) {
                    last = l;
                    lastId = ids.computeIfAbsent(l, k -> {
                        sets.add(k);
                        return sets.size() - 1;
                    });
                }
                setOf[d.index] = lastId;
            }
        }

        /** The drives whose label set the selector matches, by drive index. */
        BitSet select(LabelSelector selector) {
            Set<String> keys = new TreeSet<>(selector.matchLabels().keySet());
            selector.matchExpressions().forEach(r -> keys.add(r.key()));
            Projection p = projections.computeIfAbsent(keys, this::project);
            boolean[] match = new boolean[p.labels().size()];
            for (int i = 0; i < match.length; i++) {
                match[i] = selector.matches(p.labels().get(i));
            }
            BitSet out = new BitSet(setOf.length);
            for (int i = 0; i < setOf.length; i++) {
                if (match[p.of()[setOf[i]]]) {
                    out.set(i);
                }
            }
            return out;
        }

        private Projection project(Set<String> keys) {
            Map<Map<String, String>, Integer> ids = new HashMap<>();
            List<Map<String, String>> labels = new ArrayList<>();
            int[] of = new int[sets.size()];
            for (int i = 0; i < sets.size(); i++) {
                Map<String, String> m = new HashMap<>();
                for (String k : keys) {
                    String v = sets.get(i).get(k);
                    if (v != null) {
                        m.put(k, v);
                    }
                }
                of[i] = ids.computeIfAbsent(m, k -> {
                    labels.add(k);
                    return labels.size() - 1;
                });
            }
            return new Projection(of, labels);
        }
    }

    /** The level at which candidate pools count the free bytes of {@code scope}'s domains; -1 for none. */
    int level(String scope) {
        return scope == null ? -1 : scopes.indexOf(scope);
    }

    /** Per drive index, a small id of its value of the domain key (null key: none). */
    int[] domainIds(String key) {
        if (key == null) {
            return null;
        }
        return domainIds.computeIfAbsent(key, k -> {
            Map<String, Integer> ids = new HashMap<>();
            int[] out = new int[drives.size()];
            for (DriveSpace d : drives) {
                out[d.index] = ids.computeIfAbsent(Separation.domain(d.target, d.drive, k), v -> ids.size());
            }
            return out;
        });
    }

    long allocate(DriveSpace d, long length) {
        long offset = d.allocate(length);
        for (CandidatePool p : d.owners) {
            p.freeChanged(d, -length);
        }
        return offset;
    }

    void release(DriveSpace d, long offset, long length) {
        d.release(offset, length);
        for (CandidatePool p : d.owners) {
            p.freeChanged(d, length);
        }
    }
}
