package io.nvmesh.core.state.bench;

import io.nvmesh.core.reconcile.Fsck;
import io.nvmesh.core.reconcile.FsckReport;
import io.nvmesh.core.reconcile.HistoryCheck;
import io.nvmesh.core.reconcile.InventoryImport;
import io.nvmesh.core.reconcile.ReconcileReport;
import io.nvmesh.core.reconcile.Reconciler;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.CommitResult;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.PackReport;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

import org.eclipse.jgit.api.Git;

/**
 * Does a state repository after many small state commits read as fast as a freshly packed one, once maintained?
 *
 * <ol>
 * <li>A real state (samples' inventory and manifests, reconciled), then {@code N} small state commits (default
 * 100,000): each rewrites one volume file (same record, one byte of whitespace more or less) and {@code state.json}
 * (the generation), as a status change would: five new loose objects a commit.</li>
 * <li>The repository is copied ({@code maintained}) and packed with {@link StateStore#pack()}.</li>
 * <li>{@code fresh}: every ref of the packed copy fetched into a new bare repository (one pack, as a new clone from
 * a Git server).</li>
 * <li>Reads, interleaved over the three (so that they share the machine's load), each on a newly opened store: load
 * the recorded state at the tip (every file, decoded), walk the whole first-parent history, fsck at the tip, and fsck
 * --history over the last 1,000 commits.</li>
 * <li>On another copy ({@code passes}): reconcile passes of constant work (create a volume, delete it again) timed
 * before a pack, while {@link StateStore#pack()} runs on another thread, and after.</li>
 * </ol>
 *
 * <p>Run by {@code bench/pack.sh [COMMITS] [RUNS] [KEEP_DIR]}; prints a Markdown section and writes it to
 * {@code target/benchmarks/pack.md}.
 */
public final class PackScenario {

    private static final Author AUTHOR = new Author("bench", "bench@nvmesh");
    private static final String REF = StateStore.STATE_REF;

    private final StringBuilder out = new StringBuilder();

    public static void main(String[] args) throws Exception {
        int commits = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path samples = Path.of(args.length > 2 ? args[2] : "samples");
        Path target = Path.of(System.getProperty("bench.dir", "reconciler/core/target"));
        // A folder given as the fourth argument is kept, and its loose.git reused by the next run.
        Path work = args.length > 3 ? Files.createDirectories(Path.of(args[3]))
                : Files.createTempDirectory("nvmesh-pack-");
        try {
            new PackScenario().run(work, samples, commits, runs, target.resolve("benchmarks/pack.md"));
        } finally {
            if (args.length <= 3) {
                deleteTree(work);
            } else {
                for (String copy : List.of("maintained.git", "fresh.git", "passes.git")) {
                    deleteTree(work.resolve(copy));
                }
            }
        }
    }

    private void run(Path work, Path samples, int commits, int runs, Path report) throws Exception {
        say("Started " + Instant.now().toString().substring(0, 19).replace('T', ' ') + " UTC, "
                + Runtime.getRuntime().availableProcessors() + " cores, " + load() + ".");
        Path loose = work.resolve("loose.git");
        if (Files.isDirectory(loose.resolve("objects"))) {
            say("Reusing " + loose + " (" + objectFiles(loose) + ").");
        } else {
            long t0 = System.nanoTime();
            String base = setUp(loose, samples);
            int made = smallCommits(loose, base, commits);
            say(String.format(Locale.ROOT, "%,d small state commits made in %.0f s (%.1f ms a commit), %s.", made,
                    seconds(t0), millis(t0) / made, load()));
        }

        Path maintained = work.resolve("maintained.git");
        long tc = System.nanoTime();
        copyTree(loose, maintained);
        say(String.format(Locale.ROOT, "Copied to `maintained` in %.0f s.", seconds(tc)));
        try (StateStore store = StateStore.openOrCreate(maintained)) {
            PackReport r = store.pack();
            say(String.format(Locale.ROOT, "`pack()` of `maintained`, nothing else writing: %s in %.1f s; objects "
                    + "%s → %s.", r.outcome(), r.took().toMillis() / 1000.0, counts(r.before()), counts(r.after())));
        }
        Path fresh = work.resolve("fresh.git");
        try (Git git = Git.init().setBare(true).setDirectory(fresh.toFile()).call()) {
            git.fetch().setRemote(maintained.toUri().toString()).setRefSpecs("+refs/*:refs/*").call();
        }
        say("`fresh` (every ref of `maintained` fetched into a new bare repository): " + objectFiles(fresh) + ".");
        say("");

        reads(Map.of("loose (before maintenance)", loose, "maintained (after `pack()`)", maintained,
                "fresh (packed clone)", fresh), runs);

        Path passes = work.resolve("passes.git");
        copyTree(loose, passes);
        passesAroundAPack(passes, runs);
        say("Finished, " + load() + ".");
        System.out.print(out);
        Files.createDirectories(report.getParent());
        Files.writeString(report, out.toString());
        System.out.println("written to " + report.toAbsolutePath());
    }

    /** Inventory, manifests and a first reconcile, as {@code inventory import}, {@code apply}, {@code reconcile}. */
    private static String setUp(Path repo, Path samples) throws IOException {
        try (StateStore store = StateStore.openOrCreate(repo)) {
            Path fleet = samples.resolve("inventory/fleet.yaml");
            InventoryImport.record(store, fleet.toString(), Files.readAllBytes(fleet), AUTHOR);
            Changes.Builder manifests = Changes.builder();
            for (String dir : List.of("classes", "policies", "volumes", "drives")) {
                try (Stream<Path> files = Files.walk(samples.resolve(dir))) {
                    for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".yaml")).sorted()
                            ::iterator) {
                        manifests.put(samples.relativize(f).toString(), Files.readAllBytes(f));
                    }
                }
            }
            new DesiredBranch(store, "main").apply("", manifests.build(), "samples", AUTHOR);
            ReconcileReport r = new Reconciler(store, "main", v -> true, AUTHOR).reconcileOnce();
            if (r.outcome() != ReconcileReport.Kind.RECORDED) {
                throw new IllegalStateException("the samples did not reconcile: " + r.outcome() + " " + r.message());
            }
            return r.stateCommit();
        }
    }

    /** Small commits straight through the store, each a valid state: one volume file re-spaced, the generation. */
    private static int smallCommits(Path repo, String base, int n) {
        try (StateStore store = StateStore.openOrCreate(repo)) {
            Snapshot tip = store.read(REF, base);
            RecordedState state = StateFiles.decodeStrict(tip);
            List<String> volumes = tip.paths(StateFiles.VOLUMES).stream().sorted().toList();
            Map<String, byte[]> original = new LinkedHashMap<>();
            volumes.forEach(p -> original.put(p, tip.file(p).orElseThrow()));
            long generation = state.generation();
            String head = base;
            for (int i = 0; i < n; i++) {
                String path = volumes.get(i % volumes.size());
                byte[] bytes = original.get(path);
                if ((i / volumes.size()) % 2 == 0) {
                    bytes = (new String(bytes, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8);
                }
                CommitResult r = store.commit(REF, head, Changes.builder().put(path, bytes)
                        .put(StateFiles.STATE, StateFiles.generation(++generation)).build(),
                        "status of " + path, AUTHOR);
                head = ((CommitResult.Committed) r).commitId();
                if ((i + 1) % 10_000 == 0) {
                    System.out.printf("  %,d commits%n", i + 1);
                }
            }
            return n;
        }
    }

    /**
     * Reconcile passes on a copy of the loose repository, before, during and after a pack of it. Each pass has the
     * same work and leaves the state the same size: it creates a volume, the next one deletes it again.
     */
    private void passesAroundAPack(Path repo, int runs) throws Exception {
        int n = Math.max(30, 6 * runs);
        boolean[] create = {true};
        try (StateStore store = StateStore.openOrCreate(repo)) {
            Reconciler reconciler = new Reconciler(store, "main", v -> true, AUTHOR);
            for (int i = 0; i < 10; i++) {
                pass(store, reconciler, create); // warm-up, not reported
            }
            List<Long> before = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                before.add(pass(store, reconciler, create));
            }
            String loadBefore = load();
            List<Long> during = new ArrayList<>();
            PackReport r;
            try (StateStore packer = StateStore.openOrCreate(repo)) {
                CompletableFuture<PackReport> packing = CompletableFuture.supplyAsync(packer::pack);
                while (!packing.isDone()) {
                    during.add(pass(store, reconciler, create));
                }
                r = packing.join();
            }
            List<Long> after = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                after.add(pass(store, reconciler, create));
            }
            say(String.format(Locale.ROOT, "Reconcile passes on `passes` (a copy of `loose`), back to back, each "
                    + "creating a 100GiB mirrored volume or deleting it again (so every pass has the same work and "
                    + "the state stays the same size), %s before the pack. `pack()` ran on another thread: %s in "
                    + "%.1f s, objects %s → %s.", loadBefore, r.outcome(), r.took().toMillis() / 1000.0,
                    counts(r.before()), counts(r.after())));
            say("");
            say("| passes | n | min | median | p90 | max |");
            say("|---|---:|---:|---:|---:|---:|");
            row("before the pack (loose objects)", before);
            row("while `pack()` runs on another thread", during);
            row("after the pack", after);
            say("");
        }
    }

    private static long pass(StateStore store, Reconciler reconciler, boolean[] create) {
        String path = "volumes/bench/bench-pass.yaml";
        DesiredBranch desired = new DesiredBranch(store, "main");
        Changes change = create[0] ? Changes.builder().put(path, "apiVersion: nvmesh.io/v1\nkind: Volume\n"
                + "metadata:\n  name: bench-pass\nspec:\n  policy: mirrored-standard\n  capacity: 100GiB\n"
                + "  deletionProtection: false\n").build() : Changes.builder().delete(path).build();
        desired.apply(desired.read().commitId(), change, (create[0] ? "add" : "remove") + " bench-pass", AUTHOR);
        long start = System.nanoTime();
        ReconcileReport r = reconciler.reconcileOnce();
        long nanos = System.nanoTime() - start;
        if (r.outcome() != ReconcileReport.Kind.RECORDED) {
            throw new IllegalStateException("pass " + (create[0] ? "creating" : "deleting") + " bench-pass: "
                    + r.outcome() + " " + r.message());
        }
        create[0] = !create[0];
        return nanos;
    }

    private record Read(String name, ToLongFunction<StateStore> what) {
    }

    private void reads(Map<String, Path> repos, int runs) {
        Map<String, String> since = new java.util.HashMap<>(); // tip -> the commit 1,000 before it
        for (Path repo : repos.values()) {
            try (StateStore s = StateStore.openOrCreate(repo)) {
                List<String> chain = s.firstParents(REF, s.resolve(REF), "");
                since.put(chain.get(chain.size() - 1), chain.get(chain.size() - 1_001));
            }
        }
        List<Read> reads = List.of(
                new Read("load the recorded state (every file, decoded)", s -> {
                    RecordedState st = StateFiles.decodeStrict(s.read(REF));
                    return st.volumes().size();
                }),
                new Read("walk the whole history (first parents)", s -> s.firstParents(REF, s.resolve(REF), "")
                        .size()),
                new Read("fsck at the tip", s -> {
                    FsckReport r = Fsck.check(s, "main");
                    if (!r.clean()) {
                        throw new IllegalStateException("fsck: " + r.findings());
                    }
                    return r.volumes();
                }),
                new Read("fsck --history, last 1,000 commits", s -> {
                    HistoryCheck.Report r = HistoryCheck.check(s, "main", since.get(s.resolve(REF)));
                    if (!r.clean()) {
                        throw new IllegalStateException("history: " + r.findings());
                    }
                    return r.commits();
                }));
        List<String> names = new ArrayList<>(repos.keySet());
        names.sort(Comparator.comparing(n -> n.startsWith("loose") ? 0 : n.startsWith("maintained") ? 1 : 2));
        Map<String, List<Long>> times = new LinkedHashMap<>();
        String loadBefore = load();
        for (int run = 0; run < runs; run++) {
            for (Read read : reads) {
                for (String name : names) {
                    try (StateStore s = StateStore.openOrCreate(repos.get(name))) {
                        long start = System.nanoTime();
                        read.what().applyAsLong(s);
                        times.computeIfAbsent(read.name() + "|" + name, k -> new ArrayList<>())
                                .add(System.nanoTime() - start);
                    }
                }
            }
        }
        say("Reads, each on a newly opened store, " + runs + " runs interleaved over the three repositories ("
                + loadBefore + " before, " + load() + " after):");
        say("");
        say("| read | repository | min | median | max | median vs fresh |");
        say("|---|---|---:|---:|---:|---:|");
        for (Read read : reads) {
            double fresh = median(times.get(read.name() + "|" + names.get(2)));
            for (String name : names) {
                List<Long> t = times.get(read.name() + "|" + name);
                say(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.2f× |", read.name(), name,
                        ms(min(t)), ms(median(t)), ms(max(t)), median(t) / fresh));
            }
        }
        say("");
    }

    private void row(String what, List<Long> t) {
        List<Long> sorted = t.stream().sorted().toList();
        double p90 = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(0.9 * sorted.size()) - 1));
        say(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |", what, t.size(), ms(min(t)), ms(median(t)),
                ms(p90), ms(max(t))));
    }

    private static String counts(PackReport.Counts c) {
        return String.format(Locale.ROOT, "%,d loose (%.1f MiB), %,d packed in %d pack%s (%.1f MiB)",
                c.looseObjects(), c.looseBytes() / 1048576.0, c.packedObjects(), c.packs(),
                c.packs() == 1 ? "" : "s", c.packBytes() / 1048576.0);
    }

    /** Loose object files and pack files, counted on disk (a pack run to count them would repack). */
    private static String objectFiles(Path repo) throws IOException {
        long loose;
        long packs;
        long packBytes = 0;
        try (Stream<Path> walk = Files.walk(repo.resolve("objects"))) {
            loose = walk.filter(p -> p.getParent().getFileName().toString().matches("[0-9a-f]{2}")).count();
        }
        try (Stream<Path> walk = Files.list(repo.resolve("objects/pack"))) {
            List<Path> p = walk.filter(f -> f.toString().endsWith(".pack")).toList();
            packs = p.size();
            for (Path f : p) {
                packBytes += Files.size(f);
            }
        }
        return String.format(Locale.ROOT, "%,d loose objects, %d pack%s (%.1f MiB)", loose, packs,
                packs == 1 ? "" : "s", packBytes / 1048576.0);
    }

    private static String ms(double nanos) {
        return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
    }

    private static double min(List<Long> t) {
        return t.stream().mapToLong(Long::longValue).min().orElse(0);
    }

    private static double max(List<Long> t) {
        return t.stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private static double median(List<Long> t) {
        List<Long> s = t.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2.0;
    }

    private static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return "load average " + f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "load average unknown";
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static double millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    private void say(String line) {
        out.append(line).append('\n');
        System.out.println(line);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
