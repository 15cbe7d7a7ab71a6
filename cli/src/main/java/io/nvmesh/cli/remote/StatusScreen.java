package io.nvmesh.cli.remote;

import static io.nvmesh.core.state.CommitIds.shortId;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@link ClusterStatus} as one screen of text: a members table, then one line per concern. */
final class StatusScreen {

    private static final DateTimeFormatter STARTED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    /** Affected targets named on the screen; `get targets` lists them all. */
    private static final int AFFECTED_SHOWN = 3;

    private StatusScreen() {
    }

    static void print(PrintWriter out, ClusterStatus s) {
        long live = s.members().stream().filter(ClusterStatus.Member::alive).count();
        out.println("cluster   " + live + "/" + s.members().size() + " members live; " + s.answering()
                + " answered at " + s.server());
        List<List<String>> rows = new ArrayList<>();
        for (ClusterStatus.Member m : s.members()) {
            ClusterStatus.Pass p = m.lastPass();
            // Alive without an epoch: not heard from yet, counted live during the answering instance's start-up grace.
            String alive = m.alive() ? m.epoch() == 0 && !m.answering() ? "presumed" : "yes"
                    : "no (silent " + (m.silentForMillis() < 0 ? "always" : duration(m.silentForMillis())) + ")";
            rows.add(List.of(m.id() + (m.answering() ? " *" : ""), alive,
                    m.epoch() == 0 ? "-" : STARTED.format(Instant.ofEpochMilli(m.epoch())),
                    m.uptimeMillis() < 0 ? "-" : duration(m.uptimeMillis()), Integer.toString(m.incarnations() - 1 < 0
                            ? 0 : m.incarnations() - 1),
                    m.alive() ? Integer.toString(m.targets()) : "-", m.alive() ? Integer.toString(m.clients()) : "-",
                    m.alive() ? Integer.toString(m.ownedVolumes()) : "-",
                    p == null ? "-" : p.outcome(), p == null || p.ageMillis() < 0 ? "-" : duration(p.ageMillis()),
                    p == null ? "-" : p.millis() + "ms"));
        }
        Rendering.table(out, List.of("MEMBER", "ALIVE", "STARTED (UTC)", "UPTIME", "RESTARTS", "TARGETS", "CLIENTS",
                "VOLUMES", "LAST PASS", "AGO", "TOOK"), rows);
        out.println();
        out.println("balance   nodes " + spread(s.balance().nodes()) + "; volumes " + spread(s.balance().volumes()));
        ClusterStatus.Health h = s.health();
        List<String> health = new ArrayList<>();
        // Targets by overall health (their drives included) get a line of their own; the counters count them by their
        // own health only, which calls a target with a failed drive healthy.
        h.servers().forEach((kind, byHealth) -> {
            if (!(kind.equals("target") && !h.targets().isEmpty())) {
                health.add(kind + "s " + ClusterStatus.counts(byHealth));
            }
        });
        health.add("drives " + ClusterStatus.counts(h.drives()));
        out.println("health    " + String.join("; ", health) + "  [" + source(h.source()) + "]");
        if (!h.targets().isEmpty()) {
            List<String> shown = h.affectedTargets().stream().limit(AFFECTED_SHOWN).toList();
            int more = h.affectedTargets().size() - shown.size();
            out.println("targets   " + ClusterStatus.counts(h.targets()) + (shown.isEmpty() ? ""
                    : ": " + String.join("; ", shown) + (more > 0 ? "; and " + more + " more" : ""))
                    + "  [recorded state]");
        }
        out.println("volumes   " + ClusterStatus.counts(h.volumes()) + "  [" + source(h.volumesSource())
                + (h.stateCommit().isEmpty() ? "" : ", state " + shortId(h.stateCommit()))
                + (h.desiredCommit().isEmpty() ? ", desired not reconciled yet"
                        : ", desired " + shortId(h.desiredCommit())) + "]");
        ClusterStatus.Capacity c = s.capacity();
        if (c.total() == 0) {
            out.println("capacity  counters hold no bytes yet" + (c.recordedRawBytes() > 0
                    ? "; recorded drives hold " + Rendering.bytes(c.recordedRawBytes()) + " raw" : "") + "  [counters]");
        } else {
            out.println("capacity  " + Rendering.bytes(c.free()) + " free of " + Rendering.bytes(c.total()) + " ("
                    + String.format(Locale.ROOT, "%.1f", c.percentFree()) + "% free); allocated "
                    + Rendering.bytes(c.allocated()) + ", of which redundant " + Rendering.bytes(c.redundant())
                    + (c.offline() > 0 ? "; offline " + Rendering.bytes(c.offline()) : "")
                    + "  [counters" + (c.consistent() ? "" : ", mid-update: ask again") + "]");
        }
        for (String p : s.problems()) {
            out.println("problem   " + p);
        }
    }

    private static String spread(ClusterStatus.Spread sp) {
        if (sp.perMember().isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : sp.perMember().entrySet()) {
            parts.add(e.getKey() + " " + e.getValue());
        }
        return sp.total() + ", max/avg " + String.format(Locale.ROOT, "%.2f", sp.maxOverAverage()) + " ("
                + String.join(", ", parts) + ")";
    }

    private static String source(String s) {
        return s.equals("recorded") ? "recorded state" : s;
    }

    /** {@code 850ms}, {@code 12s}, {@code 5m12s}, {@code 3h04m}, {@code 2d03h}. */
    static String duration(long millis) {
        if (millis < 1_000) {
            return millis + "ms";
        }
        long s = millis / 1_000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3_600) {
            return s / 60 + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        if (s < 86_400) {
            return s / 3_600 + "h" + String.format(Locale.ROOT, "%02d", s / 60 % 60) + "m";
        }
        return s / 86_400 + "d" + String.format(Locale.ROOT, "%02d", s / 3_600 % 24) + "h";
    }
}
