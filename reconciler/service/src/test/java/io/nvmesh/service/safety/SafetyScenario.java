package io.nvmesh.service.safety;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Not a unit test: the fault cases of this package, longer and repeated, with a table of what they did and found.
 * Each run starts from an empty folder and ends with every process it started killed and checked gone (a leftover is
 * a violation too); a shutdown hook kills them if this JVM is stopped mid-run. A run whose waits or assertions fail counts as one violation, with its message.
 *
 * <pre>
 * bench/safety.sh [RUNS] [CASES]      e.g. bench/safety.sh 3 kill,partition
 * </pre>
 *
 * Arguments: {@code [runs per case] [cases, comma-separated: concurrent,kill,partition,partition-git,kill-git,
 * lost-ref,truncated] [benchmarks file]}. The table is written to {@code reconciler/service/target/safety-scenario.md} and replaces the
 * section between {@value #BEGIN} and {@value #END} of the benchmarks file (docs/BENCHMARKS.md), which it appends
 * if missing.
 */
public final class SafetyScenario {

    static final String BEGIN = "<!-- safety-scenario:begin -->";
    static final String END = "<!-- safety-scenario:end -->";

    @FunctionalInterface
    private interface Case {
        Tally run(Path dir, Started started, long seed) throws Exception;
    }

    /** The longer versions: more volumes, more kills, partitions and rounds than the bounded tests in mvn verify. */
    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    static {
        CASES.put("concurrent", (d, s, seed) -> ConcurrentWritersTest.run(d, s,
                new ConcurrentWritersTest.Size(6, 10, 8), seed));
        CASES.put("kill", (d, s, seed) -> KilledReconcilerTest.run(d, s, new KilledReconcilerTest.Size(5, 3, false), seed));
        CASES.put("partition", (d, s, seed) -> PartitionTest.run(d, s, new PartitionTest.Size(2, 5, 10, 3, false, true), seed));
        // Over git:// a pass takes up to a second and the isolated instance, owning every volume, can win all ten
        // races of a partition: a note then, not a failure (its history is checked all the same).
        CASES.put("partition-git", (d, s, seed) -> PartitionTest.run(d, s,
                new PartitionTest.Size(2, 5, 10, 3, true, false), seed));
        CASES.put("kill-git", (d, s, seed) -> KilledReconcilerTest.run(d, s, new KilledReconcilerTest.Size(5, 3, true),
                seed));
        CASES.put("lost-ref", (d, s, seed) -> LostStateRefTest.run(d, s, new LostStateRefTest.Size(3, 3), seed));
        CASES.put("truncated", (d, s, seed) -> TruncatedObjectTest.run(d, s, new TruncatedObjectTest.Size(4, 3),
                seed));
    }

    private record Row(String name, int runs, int applies, int stateCommits, int refMoves, List<String> violations,
                       Duration time, List<String> notes) {
    }

    /** What the run in progress started: killed by a shutdown hook if this JVM is stopped mid-run. */
    private static volatile Started current;

    private SafetyScenario() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<String> names = args.length > 1 ? List.of(args[1].split(",")) : List.copyOf(CASES.keySet());
        Path benchmarks = Path.of(args.length > 2 ? args[2] : "docs/BENCHMARKS.md");
        for (String n : names) {
            if (!CASES.containsKey(n)) {
                System.err.println("error: no case " + n + "; cases: " + String.join(",", CASES.keySet()));
                System.exit(2);
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Started s = current;
            if (s != null) {
                s.close();
            }
        }, "safety-scenario-kill-children"));
        String loadBefore = loadAverage();
        Instant started = Instant.now();
        List<Row> rows = new ArrayList<>();
        for (String n : names) {
            Row row = runCase(n, CASES.get(n), runs);
            rows.add(row);
            System.out.println(markdown(row));
        }
        String section = section(rows, runs, started, loadBefore, loadAverage());
        Path out = Path.of("reconciler/service/target/safety-scenario.md");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, section);
        if (Files.exists(benchmarks)) {
            Files.writeString(benchmarks, replaceSection(Files.readString(benchmarks), section));
        }
        System.out.println();
        System.out.print(section);
        System.out.println("written to " + out + (Files.exists(benchmarks) ? " and " + benchmarks : ""));
        System.exit(rows.stream().allMatch(r -> r.violations().isEmpty()) ? 0 : 1);
    }

    private static Row runCase(String name, Case c, int runs) throws IOException {
        int applies = 0;
        int commits = 0;
        int moves = 0;
        List<String> violations = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 1; i <= runs; i++) {
            Path dir = Files.createTempDirectory("nvmesh-safety-" + name + "-" + i + "-");
            Started started = new Started();
            current = started;
            boolean ok = false;
            int before = violations.size();
            long r0 = System.nanoTime();
            try {
                Tally t = c.run(dir, started, 1000L * i + name.hashCode());
                applies += t.applies();
                commits += t.verdict().stateCommits();
                moves += t.verdict().refMoves();
                t.verdict().violations().forEach(v -> violations.add("run " + dir.getFileName() + ": " + v));
                if (i == 1) {
                    notes.addAll(t.notes());
                }
                int run = i;
                t.verdict().remarks().forEach(x -> notes.add("run " + run + ": " + x));
                ok = t.verdict().clean();
            } catch (Exception | AssertionError e) {
                violations.add("run " + dir.getFileName() + " failed: " + firstLine(e));
            } finally {
                started.close();
                current = null;
                started.leftovers().forEach(l -> violations.add("run " + dir.getFileName() + " left: " + l));
            }
            System.out.printf(Locale.ROOT, "%s run %d: %s in %.1f s%n", name, i, ok ? "clean" : "VIOLATIONS",
                    (System.nanoTime() - r0) / 1e9);
            if (ok && violations.size() == before) {
                deleteTree(dir); // kept when something went wrong: the instances' logs are in it
            }
        }
        return new Row(name, runs, applies, commits, moves, violations, Duration.ofNanos(System.nanoTime() - t0),
                notes);
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage()).strip();
        return e.getClass().getSimpleName() + ": " + (m.contains("\n") ? m.substring(0, m.indexOf('\n')) + " ..." : m);
    }

    private static String markdown(Row r) {
        return String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %.0f s (%.0f s a run) |", r.name(), r.runs(),
                r.applies(), r.stateCommits(), r.refMoves(), r.violations().size(), r.time().toMillis() / 1000.0,
                r.time().toMillis() / 1000.0 / r.runs());
    }

    private static String section(List<Row> rows, int runs, Instant started, String loadBefore, String loadAfter) {
        StringBuilder sb = new StringBuilder();
        sb.append(BEGIN).append('\n');
        sb.append("## Fault injection: safety of recorded state\n\n");
        sb.append("""
                Scenario (`io.nvmesh.service.safety.SafetyScenario`, run by `bench/safety.sh`, which writes this section):
                the cases of the `safety` test package, longer than in `mvn verify` (more volumes and appliers, 3 kills
                with restarts, 3 partitions, 3 rounds of lost refs and of damaged objects; `-git`: the instances reach
                the repository through a real `git daemon`, each by a mirror of its own, publishing by push with a
                lease, instead of by its path). Each run starts from an empty folder and ends with the whole recorded
                history checked (HistoryCheck, fsck, every reflog move of the state ref a fast-forward or a person's
                restore, no kept volume dropped or placed twice, no writer refusal in an instance's log) and every
                process it started proven gone. A run that fails a wait counts as one violation.

                ```
                bench/safety.sh 3                       # MVN_OFFLINE=-o to build offline; about 8 minutes
                bench/safety.sh 1 kill,partition        # some cases only
                ```

                """);
        sb.append(String.format(Locale.ROOT, "%d run(s) per case, started %s UTC, load average %s before and %s "
                + "after, %d cores.%n%n", runs, started.truncatedTo(java.time.temporal.ChronoUnit.MINUTES).toString()
                .replace('T', ' ').replace("Z", ""), loadBefore, loadAfter, Runtime.getRuntime().availableProcessors()));
        sb.append("| case | runs | desired applies | state commits checked | ref moves checked | violations | time |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        rows.forEach(r -> sb.append(markdown(r)).append('\n'));
        sb.append('\n');
        for (Row r : rows) {
            if (!r.violations().isEmpty()) {
                sb.append("Violations in ").append(r.name()).append(":\n\n");
                r.violations().stream().limit(20).forEach(v -> sb.append("- ").append(v).append('\n'));
                sb.append('\n');
            }
        }
        sb.append("What the first run of each case did (the others alike), and anything remarkable in any run:\n\n");
        for (Row r : rows) {
            r.notes().forEach(n -> sb.append("- ").append(r.name()).append(": ").append(n).append('\n'));
        }
        sb.append('\n').append(END).append('\n');
        return sb.toString();
    }

    static String replaceSection(String doc, String section) {
        int b = doc.indexOf(BEGIN);
        int e = doc.indexOf(END);
        if (b >= 0 && e > b) {
            return doc.substring(0, b) + section + doc.substring(e + END.length() + (doc.startsWith("\n",
                    e + END.length()) ? 1 : 0));
        }
        return doc + (doc.endsWith("\n") ? "\n" : "\n\n") + section;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
