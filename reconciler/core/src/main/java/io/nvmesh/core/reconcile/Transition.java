package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.CommitIds;
import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.LiveCopies;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.HeldExtent;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.Release;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The safety rules between a recorded state and the next one, checked by every writer before it publishes
 * ({@link StateWriter}) and by {@code nvmesh fsck --history} over every pair of consecutive state commits:
 *
 * <ol>
 * <li>each commit's generation is its parent's plus one (a state that restarted shows as a jump back; commits
 * written before generations were kept have none);
 * <li>no extent of one volume overlaps another's, counting the space still being released;
 * <li>space leaves the state only when {@link Release} says nothing can still serve it;
 * <li>a segment is replaced only while its group still has a live copy (for erasure coding: as many live segments
 * as it has data segments), or for a failed drive whose loss a person accepted in Git;
 * <li>a volume is deleted (dropped, or marked deleting) only if the desired commit being recorded does not hold it,
 * and only by a writer that records a desired commit at all;
 * <li>the recorded desired commit never moves back to an ancestor of the one before.
 * </ol>
 *
 * Pure but for the ancestry question, which the caller answers from Git.
 */
final class Transition {

    /** Answers whether {@code ancestor} is an ancestor of (or equal to) {@code descendant} on the desired branch. */
    @FunctionalInterface
    public interface Ancestry {
        boolean isAncestor(String ancestor, String descendant);
    }

    private record Owned(String volume, Extent extent, Optional<HeldExtent> held) {
    }

    private Transition() {
    }

    /**
     * Every rule {@code after} breaks as the successor of {@code before}; empty when it may be recorded.
     *
     * @param desired the desired commit's facts, or {@code null} for a writer that records no desired commit (an
     *        inventory or served-layout batch), which must then leave every volume record as it was
     */
    public static List<String> violations(RecordedState before, RecordedState after, DesiredFacts desired,
            Ancestry ancestry) {
        List<String> out = new ArrayList<>();
        boolean legacy = before.generation() == 0 && after.generation() == 0 && !before.commitId().isEmpty();
        if (!legacy && after.generation() != before.generation() + 1) {
            out.add("generation " + after.generation() + " follows generation " + before.generation()
                    + " (each state commit must be its parent's plus one)");
        }
        overlaps(after, out);
        freed(before, after, out);
        replaced(before, after, desired, out);
        deleted(before, after, desired, out);
        String was = before.reconciled().desiredCommit();
        String now = after.reconciled().desiredCommit();
        if (!was.isEmpty() && !now.equals(was) && (now.isEmpty() || ancestry.isAncestor(now, was))) {
            out.add("the recorded desired commit moves backwards from " + CommitIds.shortId(was) + " to "
                    + (now.isEmpty() ? "none" : CommitIds.shortId(now)));
        }
        return out;
    }

    /**
     * Every extent each volume occupies: its segments (with their hold, for a deleting volume) and the holds that are
     * not segments. A second hold of one extent is listed again, so that it reads as the overlap it is (the planner
     * would refuse the state).
     */
    private static List<Owned> occupied(RecordedState s) {
        List<Owned> out = new ArrayList<>();
        for (VolumeRecord v : s.volumes().values()) {
            Map<Extent, HeldExtent> held = new HashMap<>();
            List<HeldExtent> again = new ArrayList<>();
            v.releasing().forEach(h -> {
                if (held.putIfAbsent(h.extent(), h) != null) {
                    again.add(h);
                }
            });
            v.allocation().ifPresent(a -> a.extents().forEach(e -> out.add(new Owned(v.name(), e,
                    Optional.ofNullable(held.remove(e))))));
            held.values().forEach(h -> out.add(new Owned(v.name(), h.extent(), Optional.of(h))));
            again.forEach(h -> out.add(new Owned(v.name(), h.extent(), Optional.of(h))));
        }
        return out;
    }

    private static void overlaps(RecordedState s, List<String> out) {
        // Hashed, not sorted, by serial: 600,000 extents on 120,000 drives made a tree walk of string compares each.
        // Only the drives with an overlap are put in serial order, for the report.
        Map<String, List<Owned>> perDrive = new HashMap<>();
        for (Owned o : occupied(s)) {
            perDrive.computeIfAbsent(o.extent().serial(), k -> new ArrayList<>()).add(o);
        }
        TreeMap<String, List<String>> found = new TreeMap<>();
        for (Map.Entry<String, List<Owned>> drive : perDrive.entrySet()) {
            List<Owned> list = drive.getValue();
            list.sort(Comparator.comparingLong((Owned o) -> o.extent().offset()));
            long end = -1;
            Owned last = null;
            for (Owned o : list) {
                if (last != null && o.extent().offset() < end) {
                    found.computeIfAbsent(drive.getKey(), k -> new ArrayList<>()).add("extent " + o.extent()
                            + (o.held().isPresent() ? " held by " : " of ") + "volume " + o.volume() + " overlaps "
                            + last.extent() + (last.held().isPresent() ? " held by " : " of ") + "volume "
                            + last.volume());
                }
                if (o.extent().end() > end) {
                    end = o.extent().end();
                    last = o;
                }
            }
        }
        found.values().forEach(out::addAll);
    }

    /**
     * Space a volume gives up must be released: a hold that disappears is judged with its own generation, a segment's
     * extent that disappears without having been held with the generation of {@code after}. Space one volume gives up
     * and another takes in the same commit is given up all the same.
     */
    private static void freed(RecordedState before, RecordedState after, List<String> out) {
        Release release = Release.in(after);
        for (VolumeRecord was : before.volumes().values()) {
            VolumeRecord now = after.volumes().get(was.name());
            java.util.Set<Extent> kept = new java.util.HashSet<>();
            if (now != null) {
                now.releasing().forEach(h -> kept.add(h.extent()));
                now.allocation().ifPresent(a -> kept.addAll(a.extents()));
            }
            java.util.Set<Extent> heldBefore = new java.util.HashSet<>();
            for (HeldExtent h : was.releasing()) {
                heldBefore.add(h.extent());
                if (!kept.contains(h.extent())) {
                    release.holder(h).ifPresent(why -> out.add("extent " + h.extent() + " held by volume "
                            + was.name() + " was released although " + why));
                }
            }
            was.allocation().ifPresent(a -> a.extents().forEach(e -> {
                if (!kept.contains(e) && !heldBefore.contains(e)) {
                    release.holder(HeldExtent.of(e, after.generation())).ifPresent(why -> out.add("extent " + e
                            + " of volume " + was.name() + " was freed although " + why));
                }
            }));
        }
    }

    private static void replaced(RecordedState before, RecordedState after, DesiredFacts desired, List<String> out) {
        LiveCopies copies = LiveCopies.of(before.inventory());
        for (VolumeRecord was : before.volumes().values()) {
            VolumeRecord now = after.volumes().get(was.name());
            if (now == null || was.allocation().isEmpty() || now.allocation().isEmpty()) {
                continue;
            }
            VolumeAllocation a = was.allocation().get();
            VolumeAllocation b = now.allocation().get();
            for (Chunk c : a.chunks()) {
                if (c.index() >= b.chunks().size()) {
                    continue; // a dropped chunk frees its space: rule 3 judges that
                }
                List<Group> groups = b.chunks().get(c.index()).groups();
                for (Group g : c.groups()) {
                    if (g.index() >= groups.size()) {
                        continue;
                    }
                    Group ng = groups.get(g.index());
                    List<String> lost = new ArrayList<>();
                    for (Segment s : g.segments()) {
                        boolean changed = s.index() < ng.segments().size()
                                && !ng.segments().get(s.index()).extent().equals(s.extent());
                        if (changed && (desired == null || !desired.accepted(was.name(), s.extent().serial()))) {
                            lost.add(s.extent().serial());
                        }
                    }
                    if (!lost.isEmpty() && copies.state(g) != LiveCopies.State.SURVIVES) {
                        out.add("volume " + was.name() + " chunk " + c.index() + " group " + g.index() + " had "
                                + "fewer live copies than it needs (" + LiveCopies.needed(g) + "), yet segment(s) on "
                                + String.join(", ", lost) + " were replaced without an accepted data loss (data "
                                + "invented)");
                    }
                }
            }
        }
    }

    private static void deleted(RecordedState before, RecordedState after, DesiredFacts desired, List<String> out) {
        for (VolumeRecord was : before.volumes().values()) {
            VolumeRecord now = after.volumes().get(was.name());
            boolean dropped = now == null;
            boolean startsDeleting = now != null && now.status() == VolumeStatus.DELETING
                    && was.status() != VolumeStatus.DELETING;
            if (desired == null) {
                if (!Objects.equals(was, now)) {
                    out.add("volume " + was.name() + " changed by a writer that records no desired commit");
                }
                continue;
            }
            if ((dropped || startsDeleting) && desired.volumes().contains(was.name())) {
                out.add("volume " + was.name() + " is " + (dropped ? "deleted" : "marked deleting")
                        + " although desired commit " + CommitIds.shortId(desired.commit()) + " holds it");
            }
        }
        if (desired == null) {
            for (String name : after.volumes().keySet()) {
                if (!before.volumes().containsKey(name)) {
                    out.add("volume " + name + " added by a writer that records no desired commit");
                }
            }
        }
    }
}
