package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.ChildJvm;
import io.nvmesh.core.testing.GitDaemon;
import io.nvmesh.core.state.RetryPolicy;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.StoreOptions;
import io.nvmesh.schema.Size;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several reconcilers against one repository while the desired branch grows: four threads and two JVMs on a bare
 * repository, and two writers through a real {@code git daemon}. Ownership overlaps (every volume has two owners), so
 * writers race for the same volumes; compare-and-swap must still leave every volume allocated exactly once.
 */
class ConcurrentReconcilersTest {

    static final int BATCH = 60;

    @TempDir
    Path tmp;

    /** Owns a volume when its name hashes to one of {@code residues} modulo {@code modulus}. */
    record Share(Set<Integer> residues, int modulus) {
        boolean owns(String volume) {
            return residues.contains(Math.floorMod(volume.hashCode(), modulus));
        }

        /** {@code "1,2"} and 6. */
        static Share parse(String residues, int modulus) {
            Set<Integer> r = new HashSet<>();
            for (String s : residues.split(",")) {
                r.add(Integer.parseInt(s));
            }
            return new Share(r, modulus);
        }

        /** Writer i of n owns residues i and i+1: each volume has exactly two owners. */
        static Share overlapping(int i, int n) {
            return new Share(Set.of(i, (i + 1) % n), n);
        }

        String residuesArg() {
            return String.join(",", residues.stream().map(String::valueOf).toList());
        }
    }

    static StoreOptions options(String writer) {
        return StoreOptions.forWriter(writer).withRetry(RetryPolicy.forWriter(writer).withMaxAttempts(200)
                .withDelays(Duration.ofMillis(2), Duration.ofMillis(100)));
    }

    /** Reconciles until {@code stop} was true before a pass that found nothing to do; returns the retries seen. */
    static int reconcileUntilStopped(StateStore store, Share share, BooleanSupplier stop) {
        Reconciler reconciler = new Reconciler(store, "main", share::owns, Fleet.TEST);
        int retries = 0;
        while (true) {
            boolean stopping = stop.getAsBoolean();
            ReconcileReport r = reconciler.reconcileOnce();
            retries += r.retries();
            if (stopping && r.outcome() == ReconcileReport.Kind.UNCHANGED) {
                return retries;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void fourThreadsAndTwoProcessesAllocateEveryVolumeExactlyOnce() throws Exception {
        Path repo = tmp.resolve("desired.git");
        Path stop = tmp.resolve("stop");
        int writers = 6;
        int batches = 4;
        List<Process> processes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (StateStore driver = StateStore.openOrCreate(repo, options("driver"))) {
            Fleet.importInventory(driver, Fleet.inventory(24, 6, 4, "4TiB"));
            Fleet.commitDesired(driver, Fleet.files("policies.yaml", Fleet.POLICIES));
            for (int p = 0; p < 2; p++) {
                Share share = Share.overlapping(4 + p, writers);
                Process proc = ChildJvm.start(tmp.resolve("proc-" + p + ".err"), ReconcileWriter.class.getName(),
                        repo.toString(), "proc-" + p, share.residuesArg(), Integer.toString(writers), stop.toString());
                processes.add(proc);
                BufferedReader out = new BufferedReader(new InputStreamReader(proc.getInputStream(),
                        StandardCharsets.UTF_8));
                assertThat(out.readLine()).as("child %d started (see %s)", p, tmp.resolve("proc-" + p + ".err"))
                        .isEqualTo("ready");
            }
            List<Future<Integer>> threads = new ArrayList<>();
            List<StateStore> stores = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                StateStore s = StateStore.openOrCreate(repo, options("thread-" + t));
                stores.add(s);
                Share share = Share.overlapping(t, writers);
                threads.add(pool.submit(() -> reconcileUntilStopped(s, share, () -> Files.exists(stop))));
            }
            for (Process p : processes) {
                try (OutputStream in = p.getOutputStream()) {
                    in.write("go\n".getBytes(StandardCharsets.UTF_8));
                }
            }
            grow(driver, batches);
            Files.createFile(stop);
            int retries = 0;
            for (Future<Integer> f : threads) {
                retries += f.get(2, TimeUnit.MINUTES);
            }
            for (Process p : processes) {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                String done = out.readLine();
                assertThat(done).as("child result (stderr in %s)", tmp).startsWith("done ");
                retries += Integer.parseInt(done.substring(5).trim());
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            stores.forEach(StateStore::close);
            System.out.printf("6 reconcilers, %d volumes: %d retries%n", batches * BATCH, retries);
            assertEveryVolumeAllocatedOnce(driver, batches * BATCH);
        } finally {
            pool.shutdownNow();
            processes.forEach(ChildJvm::stop);
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void twoWritersThroughGitDaemonAllocateEveryVolumeExactlyOnce() throws Exception {
        Assumptions.assumeTrue(GitDaemon.gitAvailable(), "git is not installed");
        Path base = Files.createDirectories(tmp.resolve("served"));
        int batches = 2;
        try (GitDaemon daemon = GitDaemon.start(base, tmp.resolve("daemon.log"))) {
            String url = daemon.createRepository("desired.git");
            ExecutorService pool = Executors.newFixedThreadPool(2);
            AtomicBoolean stop = new AtomicBoolean();
            try (StateStore driver = StateStore.remote(url, tmp.resolve("cache-driver"), options("driver"));
                    StateStore a = StateStore.remote(url, tmp.resolve("cache-a"), options("net-a"));
                    StateStore b = StateStore.remote(url, tmp.resolve("cache-b"), options("net-b"))) {
                Fleet.importInventory(driver, Fleet.inventory(12, 4, 4, "4TiB"));
                Fleet.commitDesired(driver, Fleet.files("policies.yaml", Fleet.POLICIES));
                Future<Integer> fa = pool.submit(() -> reconcileUntilStopped(a, new Share(Set.of(0, 1), 3), stop::get));
                Future<Integer> fb = pool.submit(() -> reconcileUntilStopped(b, new Share(Set.of(1, 2), 3), stop::get));
                grow(driver, batches);
                stop.set(true);
                int retries = fa.get(2, TimeUnit.MINUTES) + fb.get(2, TimeUnit.MINUTES);
                System.out.printf("2 reconcilers over git://, %d volumes: %d retries%n", batches * BATCH, retries);
                assertEveryVolumeAllocatedOnce(driver, batches * BATCH);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Commits the volumes batch by batch, each once the previous one is recorded. */
    private static void grow(StateStore driver, int batches) {
        for (int i = 0; i < batches; i++) {
            Fleet.commitDesired(driver, Fleet.files("volumes/batch-" + i + ".yaml",
                    Fleet.volumes("v" + i, 0, BATCH, "2GiB")));
            int expected = (i + 1) * BATCH;
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> recorded(driver).volumes().values().stream()
                            .filter(v -> v.allocation().isPresent()).count() == expected);
        }
    }

    private static RecordedState recorded(StateStore store) {
        return StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
    }

    private static void assertEveryVolumeAllocatedOnce(StateStore store, int volumes) {
        RecordedState state = recorded(store);
        assertThat(state.volumes()).hasSize(volumes);
        for (VolumeRecord v : state.volumes().values()) {
            assertThat(v.status()).as(v.name()).isEqualTo(VolumeStatus.ONLINE);
            assertThat(v.allocation().orElseThrow().size()).isEqualTo(2 * Size.GiB);
        }
        FsckReport fsck = Fsck.check(store, "main");
        assertThat(fsck.findings()).isEmpty();
        assertThat(fsck.clean()).isTrue();
        // Not only the end: every state commit the racing writers made kept the rules against its parent.
        HistoryCheck.Report history = HistoryCheck.check(store, "main", "");
        assertThat(history.findings()).extracting(HistoryCheck.Finding::render).isEmpty();
        assertThat(history.commits()).isGreaterThan(1);
    }
}
