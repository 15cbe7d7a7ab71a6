package io.nvmesh.core.reconcile;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The inventory an import records: the file's, except for targets a node agent reports ({@link Target#managed}).
 * Their inventory comes from the agent, so a file that would change or remove one is refused. With {@code force}
 * the file's labels and drives are taken, but the health the agent reported (the target's, and that of every drive
 * an agent reported) and the managed mark are kept; a managed target the file does not list is kept as recorded.
 * Pure: the same recorded inventory and file give the same outcome.
 */
final class InventoryMerge {

    /** How many differences a refusal names before it says how many more there are. */
    private static final int SHOWN = 4;

    /**
     * @param inventory what to record, when nothing was refused
     * @param refusals  one line per managed target the file would change or remove (without {@code force}), or per
     *                  drive that cannot be placed (with it); empty when the import may go ahead
     * @param kept      managed targets the file does not list, kept as recorded ({@code force})
     * @param merged    managed targets whose labels and drives were taken from the file ({@code force})
     */
    record Outcome(Inventory inventory, List<String> refusals, List<String> kept, List<String> merged) {
        Outcome {
            refusals = List.copyOf(refusals);
            kept = List.copyOf(kept);
            merged = List.copyOf(merged);
        }
    }

    private InventoryMerge() {
    }

    static Outcome of(Inventory recorded, Inventory file, boolean force) {
        Map<String, Target> managed = new TreeMap<>();
        Map<String, DriveHealth> reported = new HashMap<>();
        for (Target t : recorded.targets()) {
            if (t.managed()) {
                managed.put(t.id(), t);
                t.drives().forEach(d -> reported.put(d.serial(), d.health()));
            }
        }
        if (managed.isEmpty()) {
            return new Outcome(file, List.of(), List.of(), List.of());
        }
        List<String> refusals = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<String> merged = new ArrayList<>();
        Map<String, String> fileSerials = new HashMap<>();
        Map<String, Target> targets = new TreeMap<>();
        Set<String> listed = new HashSet<>();
        for (Target f : file.targets()) {
            listed.add(f.id());
            f.drives().forEach(d -> fileSerials.put(d.serial(), f.id()));
            Target r = managed.get(f.id());
            if (r == null) {
                targets.put(f.id(), force ? withReportedHealth(f, f.health(), false, reported) : f);
            } else if (f.asManaged().equals(r)) {
                targets.put(r.id(), r);
            } else if (force) {
                targets.put(r.id(), withReportedHealth(f, r.health(), true, reported));
                merged.add(r.id());
            } else {
                refusals.add(agentOwned(r.id()) + " (the file changes " + differences(r, f)
                        + "); use --force to take only the file's labels and drives and keep the agent's health");
            }
        }
        for (Target r : managed.values()) {
            if (listed.contains(r.id())) {
                continue;
            }
            if (!force) {
                refusals.add(agentOwned(r.id()) + " (the file does not list it, so importing would remove it); "
                        + "use --force to keep it as recorded");
                continue;
            }
            for (Drive d : r.drives()) {
                String elsewhere = fileSerials.get(d.serial());
                if (elsewhere != null) {
                    refusals.add("drive " + d.serial() + " is reported by the node agent of target " + r.id()
                            + ", which the file does not list (so it is kept), but the file puts it on target "
                            + elsewhere + "; take the drive off " + elsewhere + " in the file, or list " + r.id());
                }
            }
            targets.put(r.id(), r);
            kept.add(r.id());
        }
        if (!refusals.isEmpty()) {
            return new Outcome(recorded, refusals, List.of(), List.of());
        }
        return new Outcome(new Inventory(new ArrayList<>(targets.values()), file.clients()), List.of(), kept, merged);
    }

    private static String agentOwned(String id) {
        return "target " + id + " is reported by its node agent (managed); its inventory comes from the agent, "
                + "not from a file";
    }

    /** The file's target with the given target health, and the health an agent reported for each drive it knows. */
    private static Target withReportedHealth(Target f, TargetHealth health,
            boolean managed, Map<String, DriveHealth> reported) {
        List<Drive> drives = f.drives().stream()
                .map(d -> reported.containsKey(d.serial()) ? d.withHealth(reported.get(d.serial())) : d).toList();
        return new Target(f.id(), f.labels(), health, drives, managed);
    }

    /** What the file changes of a recorded target: {@code health unhealthy → healthy, drive S3 health failed → ok}. */
    static String differences(Target recorded, Target file) {
        List<String> out = new ArrayList<>();
        if (recorded.health() != file.health()) {
            out.add("health " + lower(recorded.health()) + " → " + lower(file.health()));
        }
        if (!recorded.labels().equals(file.labels())) {
            out.add("labels " + recorded.labels() + " → " + file.labels());
        }
        Map<String, Drive> before = new TreeMap<>();
        recorded.drives().forEach(d -> before.put(d.serial(), d));
        Map<String, Drive> after = new TreeMap<>();
        file.drives().forEach(d -> after.put(d.serial(), d));
        for (Drive b : before.values()) {
            Drive a = after.get(b.serial());
            if (a == null) {
                out.add("drive " + b.serial() + " removed");
                continue;
            }
            String at = "drive " + b.serial() + " ";
            if (b.health() != a.health()) {
                out.add(at + "health " + lower(b.health()) + " → " + lower(a.health()));
            }
            if (b.capacity() != a.capacity()) {
                out.add(at + "capacity " + b.capacity() + " → " + a.capacity() + " bytes");
            }
            if (!Objects.equals(b.labels(), a.labels())) {
                out.add(at + "labels " + b.labels() + " → " + a.labels());
            }
        }
        for (Drive a : after.values()) {
            if (!before.containsKey(a.serial())) {
                out.add("drive " + a.serial() + " added");
            }
        }
        if (out.size() > SHOWN) {
            int more = out.size() - SHOWN;
            out = new ArrayList<>(out.subList(0, SHOWN));
            out.add("and " + more + " more");
        }
        return String.join(", ", out);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
