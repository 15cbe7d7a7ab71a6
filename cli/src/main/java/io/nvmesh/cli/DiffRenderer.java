package io.nvmesh.cli;

import static io.nvmesh.cli.Phrases.bytes;
import static io.nvmesh.core.state.CommitIds.shortId;

import io.nvmesh.core.allocation.Action;
import io.nvmesh.core.allocation.ActionKind;
import io.nvmesh.core.allocation.StripeSharing;
import io.nvmesh.core.allocation.Usage;
import io.nvmesh.core.reconcile.DiffReport;
import io.nvmesh.core.reconcile.ManifestChange;
import io.nvmesh.core.reconcile.Unpruned;
import io.nvmesh.schema.Size;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Renders a {@link DiffReport} as text (optionally coloured) or JSON ({@code formatVersion} 1). */
final class DiffRenderer {

    /** Placement lines shown per volume in text; JSON has them all. */
    private static final int SEGMENTS_SHOWN = 12;

    private final boolean colour;

    DiffRenderer(boolean colour) {
        this.colour = colour;
    }

    void text(DiffReport d, String repository, PrintWriter out) {
        out.println("repository: " + repository);
        out.println("desired:    " + d.desiredRef() + " at " + shortId(d.desiredCommit())
                + (d.localFiles() > 0 ? " + " + d.localFiles() + " local file" + (d.localFiles() == 1 ? "" : "s")
                : ""));
        out.println("state:      refs/nvmesh/state at " + shortId(d.stateCommit()) + (d.reconciledFrom().isEmpty()
                ? ", never reconciled" : ", reconciled from " + shortId(d.reconciledFrom()))
                + (d.lastOutcome().startsWith("invalid") ? "; last pass: " + d.lastOutcome() : ""));
        out.println();
        if (!d.changes().isEmpty()) {
            out.println("Manifests:");
            for (ManifestChange c : d.changes()) {
                switch (c.change()) {
                    case ADDED -> {
                        out.println(paint("32", "  + " + c.object()) + "  (" + c.file() + ")");
                        c.fields().forEach(f -> out.println("      " + f.path() + ": " + f.after()));
                    }
                    case REMOVED -> out.println(c.blocked()
                            ? paint("31", "  ! " + c.object() + ": deletion blocked (deletionProtection: true)")
                            : paint("31", "  - " + c.object()) + "  (" + c.file() + ")");
                    case MODIFIED -> {
                        out.println(paint("33", "  ~ " + c.object()) + "  (" + c.file() + ")");
                        for (ManifestChange.FieldChange f : c.fields()) {
                            out.println("      " + f.path() + ": " + (f.before() == null ? "(unset)" : f.before())
                                    + " → " + (f.after() == null ? "(unset)" : f.after()));
                        }
                    }
                }
            }
            out.println();
        }
        if (!d.actions().isEmpty()) {
            out.println("Placement:");
            Map<String, List<DiffReport.SegmentPlacement>> byVolume = new TreeMap<>();
            for (DiffReport.SegmentPlacement p : d.placements()) {
                byVolume.computeIfAbsent(p.kind() + " " + p.volume(), k -> new java.util.ArrayList<>()).add(p);
            }
            for (Action a : d.actions()) {
                String verb = a.kind().name().toLowerCase(Locale.ROOT);
                if (a.outcome() == io.nvmesh.core.allocation.Outcome.UNPLACEABLE) {
                    out.println(paint("31", "  ! cannot " + verb + " " + a.volume()) + ": " + a.reason()
                            + doesNotFit(d, a.volume()));
                    continue;
                }
                String size = switch (a.kind()) {
                    case CREATE -> bytes(a.sizeAfter());
                    case EXTEND -> bytes(a.sizeBefore()) + " → " + bytes(a.sizeAfter());
                    case DELETE -> bytes(a.sizeBefore()) + " freed";
                    case MOVE -> a.move().cause();
                };
                String sign = a.kind() == ActionKind.CREATE ? "+" : a.kind() == ActionKind.DELETE ? "-" : "~";
                out.println(paint(a.kind() == ActionKind.DELETE ? "31" : a.kind() == ActionKind.CREATE ? "32" : "33",
                        "  " + sign + " " + verb + " " + a.volume()) + " (" + size + ")");
                if (a.kind() == ActionKind.MOVE) {
                    DiffReport.SegmentPlacement p = d.placements().stream()
                            .filter(x -> x.kind() == ActionKind.MOVE && x.volume().equals(a.volume())
                                    && x.fromSerial().equals(a.move().from().serial()))
                            .findFirst().orElse(null);
                    if (p != null) {
                        out.println("      chunk " + p.chunk() + " group " + p.group() + " segment " + p.segment()
                                + ": " + p.fromTarget() + "/" + p.fromSerial() + " → " + p.target() + "/" + p.serial());
                    }
                    continue;
                }
                List<DiffReport.SegmentPlacement> ps = byVolume.getOrDefault(a.kind() + " " + a.volume(), List.of());
                for (int i = 0; i < ps.size() && i < SEGMENTS_SHOWN; i++) {
                    DiffReport.SegmentPlacement p = ps.get(i);
                    out.println("      chunk " + p.chunk() + " group " + p.group() + " " + p.role().name()
                            .toLowerCase(Locale.ROOT) + ": " + p.target() + "/" + p.serial() + " "
                            + bytes(p.length()));
                }
                if (ps.size() > SEGMENTS_SHOWN) {
                    out.println("      ... and " + (ps.size() - SEGMENTS_SHOWN) + " more segments (-o json lists all)");
                }
                List<StripeSharing.SharedDrive> shared = StripeSharing.shared(a.kind() == ActionKind.CREATE
                        ? a.allocation().chunks() : a.chunks());
                if (!shared.isEmpty()) {
                    out.println(paint("33", "      stripes share drives, as the policy allows (allowSharedDrives: true):"
                            + " " + StripeSharing.describe(shared, 3)));
                }
            }
            out.println();
        }
        Usage b = d.before();
        Usage a = d.after();
        out.println("Capacity: free " + bytes(b.free()) + " → " + bytes(a.free()) + ", allocated "
                + bytes(b.allocated()) + " → " + bytes(a.allocated()) + ", redundant " + bytes(b.redundant()) + " → "
                + bytes(a.redundant()));
        out.println();
        if (!d.kept().isEmpty()) {
            out.println(paint("33", Unpruned.sentence(d.kept())));
        }
        out.println(d.hasChanges() ? paint("1", d.summary()) : "No changes. " + d.summary());
    }

    /** {@code ; does not fit: the largest volume policy p can place beside the rest of this plan is 3.2 TiB}. */
    private static String doesNotFit(DiffReport d, String volume) {
        DiffReport.Largest largest = d.largestPlaceable().get(volume);
        return largest == null ? "" : "; does not fit: the largest volume policy " + largest.policy()
                + " can place beside the rest of this plan is " + Size.ofBytes(largest.bytes()).humanAtMost();
    }

    static void json(DiffReport d, String repository, PrintWriter out) {
        JsonMapper json = JsonReport.JSON;
        ObjectNode root = json.createObjectNode();
        root.put("formatVersion", 1);
        root.put("repository", repository);
        root.putObject("desired").put("ref", d.desiredRef()).put("commit", d.desiredCommit())
                .put("localFiles", d.localFiles());
        root.putObject("state").put("commit", d.stateCommit()).put("reconciledFrom", d.reconciledFrom())
                .put("lastOutcome", d.lastOutcome());
        root.put("hasChanges", d.hasChanges());
        ArrayNode changes = root.putArray("changes");
        for (ManifestChange c : d.changes()) {
            ObjectNode n = changes.addObject().put("change", c.change().name().toLowerCase(Locale.ROOT))
                    .put("object", c.object()).put("file", c.file()).put("blocked", c.blocked());
            ArrayNode fields = n.putArray("fields");
            c.fields().forEach(f -> fields.addObject().put("path", f.path()).put("before", f.before())
                    .put("after", f.after()));
        }
        ArrayNode actions = root.putArray("actions");
        for (Action a : d.actions()) {
            ObjectNode n = actions.addObject().put("kind", a.kind().name().toLowerCase(Locale.ROOT))
                    .put("volume", a.volume()).put("outcome", a.outcome().name().toLowerCase(Locale.ROOT))
                    .put("reason", a.reason()).put("sizeBefore", a.sizeBefore()).put("sizeAfter", a.sizeAfter());
            DiffReport.Largest largest = d.largestPlaceable().get(a.volume());
            if (largest != null) {
                n.putObject("largestPlaceable").put("policy", largest.policy()).put("bytes", largest.bytes());
            }
        }
        ArrayNode placements = root.putArray("placements");
        for (DiffReport.SegmentPlacement p : d.placements()) {
            ObjectNode n = placements.addObject().put("volume", p.volume())
                    .put("kind", p.kind().name().toLowerCase(Locale.ROOT)).put("chunk", p.chunk())
                    .put("group", p.group()).put("segment", p.segment())
                    .put("role", p.role().name().toLowerCase(Locale.ROOT)).put("target", p.target())
                    .put("serial", p.serial()).put("offset", p.offset()).put("length", p.length());
            if (p.fromSerial() != null) {
                n.put("fromTarget", p.fromTarget()).put("fromSerial", p.fromSerial());
            }
        }
        ObjectNode cap = root.putObject("capacity");
        usage(cap.putObject("before"), d.before());
        usage(cap.putObject("after"), d.after());
        root.putObject("counts").put("create", d.count(ActionKind.CREATE)).put("extend", d.count(ActionKind.EXTEND))
                .put("delete", d.count(ActionKind.DELETE)).put("move", d.count(ActionKind.MOVE))
                .put("unplaceable", d.unplaceable().size()).put("blocked", d.blocked().size());
        ArrayNode kept = root.putArray("notInFiles");
        d.kept().forEach(u -> kept.addObject().put("kind", u.kind()).put("name", u.name()).put("file", u.file()));
        ArrayNode blocked = root.putArray("blocked");
        d.blocked().forEach(blocked::add);
        root.put("summary", d.summary());
        out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    /** The marker a CI job looks for to update its earlier comment instead of adding another. */
    static final String MARKDOWN_MARKER = "<!-- nvmesh diff -->";

    /**
     * For a pull-request comment (as Atlantis posts Terraform's plan): what the merge would do to placements and
     * capacity, computed from the Git repository alone. Deterministic for the same inputs (a golden file holds it).
     */
    static void markdown(DiffReport d, String repository, PrintWriter out) {
        out.println(MARKDOWN_MARKER);
        out.println("### nvmesh diff: " + (d.hasChanges() ? md(d.summary()) : "no changes"));
        out.println();
        out.println("Desired `" + md(d.desiredRef()) + "` at `" + shortId(d.desiredCommit()) + "`"
                + (d.localFiles() > 0 ? " + " + d.localFiles() + " changed file" + (d.localFiles() == 1 ? "" : "s")
                : "") + " against the recorded state `" + shortId(d.stateCommit()) + "`"
                + (d.reconciledFrom().isEmpty() ? " (never reconciled)" : " (reconciled from `"
                        + shortId(d.reconciledFrom()) + "`)") + " of " + md(repository) + "."
                + (d.lastOutcome().startsWith("invalid") ? " Last pass: " + md(d.lastOutcome()) + "." : ""));
        out.println();
        if (!d.changes().isEmpty()) {
            out.println("#### Manifests");
            out.println();
            out.println("| | object | file | fields |");
            out.println("|---|---|---|---|");
            for (ManifestChange c : d.changes()) {
                String sign = switch (c.change()) {
                    case ADDED -> "+";
                    case MODIFIED -> "~";
                    case REMOVED -> c.blocked() ? "!" : "-";
                };
                String fields = c.blocked() ? "deletion blocked (`deletionProtection: true`)"
                        : String.join("<br>", c.fields().stream().map(f -> "`" + md(f.path()) + "`: "
                                + (c.change() == ManifestChange.Change.ADDED ? md(f.after())
                                        : md(f.before() == null ? "(unset)" : f.before()) + " → "
                                                + md(f.after() == null ? "(unset)" : f.after()))).toList());
                out.println("| " + sign + " | " + md(c.object()) + " | " + md(c.file()) + " | " + fields + " |");
            }
            out.println();
        }
        if (!d.actions().isEmpty()) {
            out.println("#### Placement");
            out.println();
            out.println("| | volume | size | drives |");
            out.println("|---|---|---|---|");
            for (Action a : d.actions()) {
                String verb = a.kind().name().toLowerCase(Locale.ROOT);
                if (a.outcome() == io.nvmesh.core.allocation.Outcome.UNPLACEABLE) {
                    out.println("| ! cannot " + verb + " | " + md(a.volume()) + " | " + bytes(a.sizeAfter()) + " | "
                            + md(a.reason() + doesNotFit(d, a.volume())) + " |");
                    continue;
                }
                String size = switch (a.kind()) {
                    case CREATE -> bytes(a.sizeAfter());
                    case EXTEND -> bytes(a.sizeBefore()) + " → " + bytes(a.sizeAfter());
                    case DELETE -> bytes(a.sizeBefore()) + " freed";
                    case MOVE -> md(a.move().cause());
                };
                String sign = a.kind() == ActionKind.CREATE ? "+" : a.kind() == ActionKind.DELETE ? "-" : "~";
                java.util.Set<String> drives = new java.util.TreeSet<>();
                d.placements().stream().filter(p -> p.volume().equals(a.volume()) && p.kind() == a.kind())
                        .forEach(p -> drives.add(p.target() + "/" + p.serial()));
                String where = a.kind() == ActionKind.MOVE ? md(a.move().from() + " → " + a.move().to())
                        : drives.isEmpty() ? "" : md(String.join(", ", drives));
                out.println("| " + sign + " " + verb + " | " + md(a.volume()) + " | " + size + " | " + where + " |");
            }
            out.println();
            if (!d.placements().isEmpty()) {
                out.println("<details><summary>" + d.placements().size() + " segment"
                        + (d.placements().size() == 1 ? "" : "s") + "</summary>");
                out.println();
                out.println("| volume | chunk | group | segment | role | drive | size |");
                out.println("|---|---:|---:|---:|---|---|---:|");
                for (DiffReport.SegmentPlacement p : d.placements()) {
                    out.println("| " + md(p.volume()) + " | " + p.chunk() + " | " + p.group() + " | " + p.segment()
                            + " | " + p.role().name().toLowerCase(Locale.ROOT) + " | "
                            + (p.fromSerial() != null ? md(p.fromTarget() + "/" + p.fromSerial()) + " → " : "")
                            + md(p.target() + "/" + p.serial()) + " | " + bytes(p.length()) + " |");
                }
                out.println();
                out.println("</details>");
                out.println();
            }
        }
        Usage b = d.before();
        Usage a = d.after();
        out.println("#### Capacity");
        out.println();
        out.println("| | before | after | change |");
        out.println("|---|---:|---:|---:|");
        capacityRow(out, "free", b.free(), a.free());
        capacityRow(out, "allocated", b.allocated(), a.allocated());
        capacityRow(out, "data", b.data(), a.data());
        capacityRow(out, "redundant", b.redundant(), a.redundant());
        capacityRow(out, "total", b.total(), a.total());
        out.println();
        if (!d.kept().isEmpty()) {
            out.println("> " + md(Unpruned.sentence(d.kept())));
            out.println();
        }
        out.println(d.hasChanges() ? "**" + md(d.summary()) + "**" : "No changes. " + md(d.summary()));
    }

    private static void capacityRow(PrintWriter out, String what, long before, long after) {
        long change = after - before;
        out.println("| " + what + " | " + bytes(before) + " | " + bytes(after) + " | "
                + (change == 0 ? "" : (change > 0 ? "+" : "−") + bytes(Math.abs(change))) + " |");
    }

    /** Text made safe for a Markdown table cell: no pipes, no tags, no line breaks. */
    static String md(String s) {
        if (s == null) {
            return "(unset)";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
                .replace("`", "'").replace("\r", "").replace("\n", " ");
    }

    private static void usage(ObjectNode n, Usage u) {
        n.put("total", u.total()).put("free", u.free()).put("allocated", u.allocated()).put("data", u.data())
                .put("redundant", u.redundant()).put("withheld", u.withheld()).put("offline", u.offline());
    }

    private String paint(String code, String s) {
        return colour ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }
}
