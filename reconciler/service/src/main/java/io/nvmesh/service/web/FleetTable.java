package io.nvmesh.service.web;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.service.nodes.ReportedNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The fleet's targets and their drives as the dashboard's table shows them: every target on the state ref (any
 * instance answers for the whole fleet), with the live word of its agent where this instance owns it, and each
 * drive's bytes in use summed from the recorded allocations. {@link #page} filters, sorts and cuts one page, so a
 * browser never holds 24,000 drives at once.
 */
public final class FleetTable {

    /** Sort keys of {@link Query#sort}. */
    public static final List<String> SORTS = List.of("id", "health", "fill", "owner", "rack");
    public static final int MAX_LIMIT = 500;

    /**
     * @param used bytes of recorded extents on the drive
     * @param kind the drive's {@code media} and {@code interface} labels (e.g. {@code tlc pcie5}), what a drive
     *             class selects on; empty when it has neither
     */
    public record DriveRow(String serial, long capacity, long used, String health, String kind) {
    }

    /**
     * @param live     whether health and drives come from the agent connected to this instance (else: as recorded)
     * @param health   the target's own health, what placement reads
     * @param overallHealth the worse of its own health and its drives' ({@link OverallHealth}), what people read
     * @param overallReason its drives that are not ok, e.g. {@code 1 drive failed}; empty when all are
     * @param problems drives that are not ok (failed, missing, cordoned)
     * @param severity 0 fine, 1 cordoned drive, 2 missing drive or unhealthy target, 3 failed drive
     */
    public record TargetRow(String id, String owner, boolean live, String health, String overallHealth,
                            String overallReason, String zone, String rack, long capacity, long used, int problems,
                            int severity, List<DriveRow> drives) {

        public TargetRow {
            drives = List.copyOf(drives);
        }

        double fill() {
            return capacity == 0 ? 0 : (double) used / capacity;
        }
    }

    /**
     * @param text         matched (case-insensitively) against id, owner, zone, rack and drive serials; empty for all
     * @param problemsOnly only targets with a drive that is not ok, or that are unhealthy
     * @param ids          only these targets; empty for all
     */
    public record Query(String text, boolean problemsOnly, Set<String> ids, String sort, boolean descending,
                        int offset, int limit) {

        public Query {
            text = Objects.requireNonNullElse(text, "").trim().toLowerCase(Locale.ROOT);
            ids = Set.copyOf(ids);
            if (!SORTS.contains(sort)) {
                throw new IllegalArgumentException("sort must be one of " + SORTS + ", got " + sort);
            }
            if (offset < 0 || limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("offset must be at least 0 and limit 1 to " + MAX_LIMIT);
            }
        }
    }

    /**
     * @param total    targets in the fleet
     * @param matching targets the filter kept, of which {@code items} is one page
     * @param overall  the whole fleet's targets by overall health (before the filter), e.g. {@code degraded -> 1}
     */
    public record Page(String stateCommit, int total, int matching, int offset, int limit, Map<String, Integer> overall,
                       List<TargetRow> items) {

        public Page {
            overall = Collections.unmodifiableMap(new TreeMap<>(overall));
            items = List.copyOf(items);
        }
    }

    private FleetTable() {
    }

    /**
     * Every recorded target, overlaid with the live report where this instance holds one.
     *
     * @param live    the targets this instance owns, as their agents reported them
     * @param ownerOf the owning instance of a target id
     */
    public static List<TargetRow> rows(RecordedState state, List<ReportedNode> live, Function<String, String> ownerOf) {
        Map<String, Long> usedBySerial = new HashMap<>();
        for (VolumeRecord v : state.volumes().values()) {
            v.allocation().ifPresent(a -> {
                for (Extent e : a.extents()) {
                    usedBySerial.merge(e.serial(), e.length(), Long::sum);
                }
            });
        }
        Map<String, ReportedNode> reported = new HashMap<>();
        live.forEach(n -> reported.put(n.id(), n));
        Map<String, TargetRow> rows = new TreeMap<>();
        for (Target t : state.inventory().targets()) {
            ReportedNode n = reported.remove(t.id());
            rows.put(t.id(), n != null && n.connected()
                    ? row(t.id(), ownerOf.apply(t.id()), true, n.health(), n.labels(), n.drives(), usedBySerial)
                    : row(t.id(), ownerOf.apply(t.id()), false, t.health(), t.labels(), t.drives(), usedBySerial));
        }
        // Connected here but not recorded yet (the inventory commit follows within a batch window).
        reported.values().stream().filter(ReportedNode::connected).forEach(n -> rows.put(n.id(),
                row(n.id(), ownerOf.apply(n.id()), true, n.health(), n.labels(), n.drives(), usedBySerial)));
        return List.copyOf(rows.values());
    }

    private static TargetRow row(String id, String owner, boolean live, TargetHealth health,
                                 Map<String, String> labels, List<Drive> drives, Map<String, Long> usedBySerial) {
        List<DriveRow> driveRows = new ArrayList<>(drives.size());
        long capacity = 0;
        long used = 0;
        int problems = 0;
        int severity = health == TargetHealth.HEALTHY ? 0 : 2;
        for (Drive d : drives) {
            long u = usedBySerial.getOrDefault(d.serial(), 0L);
            driveRows.add(new DriveRow(d.serial(), d.capacity(), u, lower(d.health()), kind(d.labels())));
            capacity += d.capacity();
            used += u;
            if (d.health() != DriveHealth.OK) {
                problems++;
                severity = Math.max(severity, severity(d.health()));
            }
        }
        OverallHealth overall = OverallHealth.of(health, drives.stream().map(Drive::health).toList());
        return new TargetRow(id, owner, live, lower(health), overall.health(), overall.reason(),
                labels.getOrDefault("zone", ""),
                labels.getOrDefault("rack", ""), capacity, used, problems, severity, driveRows);
    }

    private static String kind(Map<String, String> labels) {
        String media = labels.getOrDefault("media", "");
        String bus = labels.getOrDefault("interface", "");
        return (media + " " + bus).trim();
    }

    private static int severity(DriveHealth h) {
        return switch (h) {
            case OK -> 0;
            case CORDONED -> 1;
            case MISSING -> 2;
            case FAILED -> 3;
        };
    }

    /** Filters, sorts (ties by id) and cuts one page. */
    public static Page page(String stateCommit, List<TargetRow> rows, Query q) {
        List<TargetRow> kept = new ArrayList<>();
        for (TargetRow r : rows) {
            if (!q.ids().isEmpty() && !q.ids().contains(r.id())) {
                continue;
            }
            if (q.problemsOnly() && r.severity() == 0) {
                continue;
            }
            if (!q.text().isEmpty() && !matches(r, q.text())) {
                continue;
            }
            kept.add(r);
        }
        Comparator<TargetRow> order = switch (q.sort()) {
            case "health" -> Comparator.comparingInt(TargetRow::severity).reversed();
            case "fill" -> Comparator.comparingDouble(TargetRow::fill).reversed();
            case "owner" -> Comparator.comparing(TargetRow::owner);
            case "rack" -> Comparator.comparing(TargetRow::rack);
            default -> Comparator.comparing(TargetRow::id);
        };
        // health and fill put the worst first; descending turns any order round.
        if (q.descending()) {
            order = order.reversed();
        }
        kept.sort(order.thenComparing(TargetRow::id));
        int from = Math.min(q.offset(), kept.size());
        int to = Math.min(kept.size(), from + q.limit());
        Map<String, Integer> overall = new TreeMap<>();
        rows.forEach(r -> overall.merge(r.overallHealth(), 1, Integer::sum));
        return new Page(stateCommit, rows.size(), kept.size(), from, q.limit(), overall, kept.subList(from, to));
    }

    private static boolean matches(TargetRow r, String text) {
        for (String field : List.of(r.id(), r.owner(), r.zone(), r.rack())) {
            if (field.toLowerCase(Locale.ROOT).contains(text)) {
                return true;
            }
        }
        for (DriveRow d : r.drives()) {
            if (d.serial().toLowerCase(Locale.ROOT).contains(text)) {
                return true;
            }
        }
        return false;
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
