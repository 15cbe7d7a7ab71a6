package io.nvmesh.core.allocation;

import io.nvmesh.schema.Volume;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which groups of a volume still hold their data, judged from one inventory: what safety invariant 4 ("data is never
 * invented") is checked against by the planner, the status rules, {@code fsck} and history checkers.
 *
 * <p>A segment is a <em>live copy</em> when its drive is in the inventory and {@linkplain DriveHealth#online()
 * online} (OK or cordoned): its bytes can be read. A group needs as many live segments as it has {@link Role#DATA}
 * segments: one for a lone segment (concatenated, raid0) or a set of mirrors (raid1, raid10), {@code k} for erasure
 * coding {@code k+m}. A group that has them {@linkplain State#SURVIVES survives}. One that has not is
 * {@linkplain State#UNAVAILABLE unavailable} while segments on missing drives (not listed, or reported
 * {@link DriveHealth#MISSING}) would make it survive if they came back, and {@linkplain State#LOST lost} otherwise: its
 * failed drives took data no other segment can give back. For a mirror that reads: no live copy and every other copy
 * on a failed drive.
 *
 * <p>Pure and independent of the planner: an inventory in, answers about any allocation out. Whether a target answers
 * ({@link TargetHealth}) is not consulted; the data of a healthy drive on an unreachable target is still there.
 */
public final class LiveCopies {

    /** What is left of a group's data. */
    public enum State {
        /** Enough live segments to read every byte, and to rebuild any other segment. */
        SURVIVES,
        /** Too few live segments, but drives that are only missing may bring enough back: nothing is rebuilt. */
        UNAVAILABLE,
        /** Too few live segments even if every missing drive came back: the data is gone. */
        LOST
    }

    /**
     * A group whose data is gone.
     *
     * @param live   its live segments (0 for a mirror; fewer than {@code needed} for erasure coding)
     * @param needed how many live segments it would need (its data segments)
     * @param failed the serials of the failed drives its segments are on, sorted, each once
     */
    public record LostGroup(int chunk, int group, int live, int needed, List<String> failed) {
        public LostGroup {
            failed = List.copyOf(failed);
            if (failed.isEmpty()) {
                throw new IllegalArgumentException("a lost group names the failed drives that took its data");
            }
            if (live < 0 || live >= needed) {
                throw new IllegalArgumentException("a group with " + live + " of " + needed
                        + " live segments is not lost");
            }
        }

        /** {@code chunk 0 group 0 has no surviving copy (drive S-12 failed)}. */
        public String describe() {
            return "chunk " + chunk + " group " + group + (live == 0 ? " has no surviving copy"
                    : " keeps " + live + " of the " + needed + " segments needed to rebuild it") + " ("
                    + drives(failed) + " failed)";
        }
    }

    /**
     * A group without enough live segments that may recover when missing drives reappear.
     *
     * @param missing serials of the missing (or unlisted) drives its segments are on, sorted, each once
     * @param failed  serials of the failed drives its segments are on, sorted, each once (may be empty)
     */
    public record UnavailableGroup(int chunk, int group, int live, int needed, List<String> missing,
            List<String> failed) {
        public UnavailableGroup {
            missing = List.copyOf(missing);
            failed = List.copyOf(failed);
            if (missing.isEmpty()) {
                throw new IllegalArgumentException("an unavailable group waits for some missing drive");
            }
            if (live < 0 || live >= needed) {
                throw new IllegalArgumentException("a group with " + live + " of " + needed
                        + " live segments is not unavailable");
            }
        }

        /** {@code chunk 0 group 0 has no live copy; waiting for drive S-12 (missing) to reappear}. */
        public String describe() {
            return "chunk " + chunk + " group " + group + (live == 0 ? " has no live copy"
                    : " has " + live + " of the " + needed + " live segments it needs") + (failed.isEmpty() ? ""
                    : " (" + drives(failed) + " failed)") + "; waiting for " + drives(missing) + " (missing) to "
                    + "reappear";
        }
    }

    private final Map<String, DriveHealth> health = new HashMap<>();

    private LiveCopies(Inventory inventory) {
        for (Target t : inventory.targets()) {
            for (Drive d : t.drives()) {
                health.put(d.serial(), d.health());
            }
        }
    }

    /** Answers against this inventory. Built once per inventory: asking is then a map lookup per segment. */
    public static LiveCopies of(Inventory inventory) {
        return new LiveCopies(Objects.requireNonNull(inventory, "inventory"));
    }

    /** Whether the drive with this serial is listed and online: a segment on it is a live copy. */
    public boolean live(String serial) {
        DriveHealth h = health.get(serial);
        return h != null && h.online();
    }

    /** Whether the drive is listed as failed (a segment on it is gone), as opposed to online or missing. */
    public boolean failed(String serial) {
        return health.get(serial) == DriveHealth.FAILED;
    }

    /** Live segments a group needs to hold its data: its data segments (1 for mirrors and lone segments, k for EC). */
    public static int needed(Group g) {
        return (int) g.segments().stream().filter(s -> s.role() == Role.DATA).count();
    }

    public State state(Group g) {
        int live = 0;
        int missing = 0;
        for (Segment s : g.segments()) {
            String serial = s.extent().serial();
            if (live(serial)) {
                live++;
            } else if (!failed(serial)) {
                missing++;
            }
        }
        int needed = needed(g);
        return live >= needed ? State.SURVIVES : live + missing >= needed ? State.UNAVAILABLE : State.LOST;
    }

    /**
     * Whether segment {@code segment} of the group may be rebuilt now: the group's other live segments, leaving out
     * those in {@code replacing} (segments being replaced in the same step, which hold nothing to read from yet),
     * are at least as many as it {@linkplain #needed needs}.
     */
    public boolean rebuildable(Group g, int segment, Set<Integer> replacing) {
        int live = 0;
        for (Segment s : g.segments()) {
            if (s.index() != segment && !replacing.contains(s.index()) && live(s.extent().serial())) {
                live++;
            }
        }
        return live >= needed(g);
    }

    /** The groups of {@code v} whose data is gone, in chunk and group order. */
    public List<LostGroup> lost(VolumeAllocation v) {
        List<LostGroup> out = new ArrayList<>();
        for (Chunk c : v.chunks()) {
            for (Group g : c.groups()) {
                if (state(g) == State.LOST) {
                    out.add(new LostGroup(c.index(), g.index(), liveCount(g), needed(g), failedDrives(g)));
                }
            }
        }
        return out;
    }

    /** The groups of {@code v} that wait for missing drives, in chunk and group order. */
    public List<UnavailableGroup> unavailable(VolumeAllocation v) {
        List<UnavailableGroup> out = new ArrayList<>();
        for (Chunk c : v.chunks()) {
            for (Group g : c.groups()) {
                if (state(g) == State.UNAVAILABLE) {
                    out.add(new UnavailableGroup(c.index(), g.index(), liveCount(g), needed(g), missingDrives(g),
                            failedDrives(g)));
                }
            }
        }
        return out;
    }

    /**
     * Why a volume is failed, and the one change in Git that recreates its lost groups empty: {@code data lost: chunk 0
     * group 0 has no surviving copy (drive S-12 failed); recreate it empty by adding the annotation
     * nvmesh.io/accept-data-loss: S-12 to volume cc}. At most three groups are named.
     */
    public static String reason(String volume, List<LostGroup> lost) {
        if (lost.isEmpty()) {
            throw new IllegalArgumentException("volume " + volume + " lost no group");
        }
        TreeSet<String> serials = new TreeSet<>();
        lost.forEach(l -> serials.addAll(l.failed()));
        StringBuilder sb = new StringBuilder("data lost: ");
        int shown = Math.min(3, lost.size());
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ").append(lost.get(i).describe());
        }
        if (lost.size() > shown) {
            sb.append(" and ").append(lost.size() - shown).append(" more group").append(lost.size() - shown == 1 ? ""
                    : "s");
        }
        return sb.append("; recreate ").append(lost.size() == 1 ? "it" : "them").append(" empty by adding the "
                + "annotation ").append(Volume.ACCEPT_DATA_LOSS).append(": ").append(String.join(",", serials))
                .append(" to volume ").append(volume).toString();
    }

    /**
     * Why a volume waits: {@code unavailable: chunk 0 group 0 has no live copy; waiting for drive S-3 (missing) to
     * reappear; nothing is rebuilt meanwhile}. At most three groups are named.
     */
    public static String reason(List<UnavailableGroup> unavailable) {
        if (unavailable.isEmpty()) {
            throw new IllegalArgumentException("no unavailable group");
        }
        StringBuilder sb = new StringBuilder("unavailable: ");
        int shown = Math.min(3, unavailable.size());
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : "; ").append(unavailable.get(i).describe());
        }
        if (unavailable.size() > shown) {
            int more = unavailable.size() - shown;
            sb.append("; and ").append(more).append(" more group").append(more == 1 ? "" : "s");
        }
        return sb.append("; nothing is rebuilt meanwhile").toString();
    }

    private int liveCount(Group g) {
        return (int) g.segments().stream().filter(s -> live(s.extent().serial())).count();
    }

    /** Serials of the failed drives the group's segments are on, sorted, each once. */
    public List<String> failedDrives(Group g) {
        return serials(g, true);
    }

    /** Serials of the missing (or unlisted) drives the group's segments are on, sorted, each once. */
    public List<String> missingDrives(Group g) {
        return serials(g, false);
    }

    private List<String> serials(Group g, boolean failed) {
        TreeSet<String> out = new TreeSet<>();
        for (Segment s : g.segments()) {
            String serial = s.extent().serial();
            if (!live(serial) && failed(serial) == failed) {
                out.add(serial);
            }
        }
        return List.copyOf(out);
    }

    private static String drives(List<String> serials) {
        return (serials.size() == 1 ? "drive " : "drives ") + String.join(", ", serials);
    }
}
