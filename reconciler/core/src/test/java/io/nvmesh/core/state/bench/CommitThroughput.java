package io.nvmesh.core.state.bench;

import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.Decision;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.StoreOptions;
import io.nvmesh.core.state.UpdateResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Commit throughput of the state ref on a local bare repository: one writer and four contending writers, one
 * allocation per commit and a hundred; and what a 10,000-file state costs to write, list, read and change.
 *
 * <p>Run: {@code mvn -B -q -pl reconciler/core -am test-compile dependency:build-classpath
 * -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test} then
 * {@code java -cp reconciler/core/target/test-classes:reconciler/core/target/classes:$(cat reconciler/core/target/cp.txt)
 * io.nvmesh.core.state.bench.CommitThroughput [scale]}. Writes the table to {@code target/benchmarks/}.
 */
public final class CommitThroughput {

    private static final Author AUTHOR = new Author("bench", "bench@nvmesh");
    private static final String REF = StateStore.STATE_REF;

    private final Path work;
    private final List<String[]> rows = new ArrayList<>();

    private CommitThroughput(Path work) {
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        int scale = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        Path target = Path.of(System.getProperty("bench.dir", "reconciler/core/target"));
        Path work = Files.createTempDirectory("nvmesh-bench-");
        try {
            CommitThroughput b = new CommitThroughput(work);
            b.contended("warm-up", 1, 50, 1); // JIT and JGit's first-use file system probe, not reported
            b.rows.clear();
            b.contended("1 writer, 1 allocation/commit", 1, 300 * scale, 1);
            b.contended("4 writers, 1 allocation/commit", 4, 75 * scale, 1);
            b.contended("1 writer, 100 allocations/commit", 1, 30 * scale, 100);
            b.contended("4 writers, 100 allocations/commit", 4, 8 * scale, 100);
            b.largeState(10_000);
            String table = b.table();
            System.out.print(table);
            Path out = target.resolve("benchmarks/git-state-store.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table);
            System.out.println("written to " + out.toAbsolutePath());
        } finally {
            deleteTree(work);
        }
    }

    /** {@code writers} threads, each with its own store, each committing {@code commits} batches of {@code batch}. */
    private void contended(String name, int writers, int commits, int batch) throws Exception {
        Path repo = work.resolve(name.replaceAll("[^a-z0-9]+", "-") + ".git");
        AtomicLong retries = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        long start = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String writer = "w" + w;
                done.add(pool.submit(() -> {
                    try (StateStore store = StateStore.openOrCreate(repo, StoreOptions.forWriter(writer))) {
                        for (int c = 0; c < commits; c++) {
                            int commit = c;
                            UpdateResult r = store.update(REF, AUTHOR, s -> allocate(s, writer, commit, batch));
                            retries.addAndGet(r.retries());
                            if (!(r instanceof UpdateResult.Updated)) {
                                failed.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long total = (long) writers * commits;
        rows.add(new String[] {name, Long.toString(total), String.format("%.0f", total / seconds),
                String.format("%.0f", total * batch / seconds), String.format("%.2f", (double) retries.get() / total),
                Long.toString(failed.get()), String.format("%.1f", seconds * 1000 / total)});
    }

    /** Claims {@code batch} fresh slots under the writer's own directory, checking the snapshot as a planner would. */
    private static Decision allocate(Snapshot s, String writer, int commit, int batch) {
        int next = s.paths("alloc/" + writer).size();
        Changes.Builder b = Changes.builder();
        for (int i = 0; i < batch; i++) {
            b.put("alloc/" + writer + "/" + (next + i), "extent " + commit + "." + i);
        }
        return Decision.commit(b.build(), writer + " allocates " + batch);
    }

    private void largeState(int files) throws Exception {
        Path repo = work.resolve("large.git");
        Changes.Builder b = Changes.builder();
        for (int i = 0; i < files; i++) {
            b.put(String.format("volumes/%02d/vol-%05d", i % 100, i), "allocation " + i + " on drive " + (i % 97));
        }
        Changes all = b.build();
        try (StateStore store = StateStore.openOrCreate(repo, StoreOptions.forWriter("large"))) {
            long t0 = System.nanoTime();
            store.commit(REF, "", all, "seed", AUTHOR);
            long t1 = System.nanoTime();
            try (StateStore reader = StateStore.openOrCreate(repo, StoreOptions.forWriter("reader"))) {
                Snapshot s = reader.read(REF);
                long t2 = System.nanoTime();
                int bytes = s.files().values().stream().mapToInt(x -> x.length).sum();
                long t3 = System.nanoTime();
                reader.commit(REF, s.commitId(), Changes.put("volumes/00/vol-00000", "moved".getBytes(
                        StandardCharsets.UTF_8)), "one change", AUTHOR);
                long t4 = System.nanoTime();
                row(files + " files: commit all in one batch", t1 - t0);
                row(files + " files: read snapshot (list paths)", t2 - t1);
                row(files + " files: read all contents (" + bytes / 1024 + " KiB)", t3 - t2);
                row(files + " files: commit one change on top", t4 - t3);
            }
        }
    }

    private void row(String name, long nanos) {
        rows.add(new String[] {name, "1", "", "", "", "", String.format("%.1f", nanos / 1e6)});
    }

    private String table() {
        String[] head = {"scenario", "commits", "commits/s", "allocations/s", "retries/commit", "gave up",
            "ms/commit"};
        int[] w = new int[head.length];
        List<String[]> all = new ArrayList<>();
        all.add(head);
        all.addAll(rows);
        for (String[] r : all) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < all.size(); n++) {
            String[] r = all.get(n);
            sb.append('|');
            for (int i = 0; i < r.length; i++) {
                sb.append(' ').append(i == 0 ? pad(r[i], w[i], false) : pad(r[i], w[i], true)).append(" |");
            }
            sb.append('\n');
            if (n == 0) {
                sb.append('|');
                for (int i = 0; i < r.length; i++) {
                    sb.append(i == 0 ? "-".repeat(w[i] + 2) : "-".repeat(w[i] + 1) + ":").append('|');
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
