package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.testing.GitDaemon;
import io.nvmesh.core.state.PackReport;
import io.nvmesh.core.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository is packed over and over while three reconcilers record a growing desired branch into it, one of them
 * through the very store (the same JGit repository object) the packer uses. Packing must not lose a state: at the end
 * every commit a writer published is on the state's first-parent history and reads whole, every tip the reflog
 * remembers reads whole, every step of the history keeps the writers' rules ({@link HistoryCheck}, and the independent
 * {@link HistoryAudit}), fsck is clean, and C Git's own {@code git fsck --full} finds the object graph complete.
 */
class PackDuringWritesTest {

    static final int BATCH = 5;
    static final int MAX_BATCHES = 60;
    /** Pack runs during which the state ref moved: the test goes on until it has seen this many. */
    static final int OVERLAPS = 4;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void packingWhileReconcilersCommitLosesNoStateAndKeepsTheHistoryReadable() throws Exception {
        Path repo = tmp.resolve("desired.git");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicBoolean stop = new AtomicBoolean();
        Set<String> published = ConcurrentHashMap.newKeySet();
        List<StateStore> stores = new ArrayList<>();
        try (StateStore driver = StateStore.openOrCreate(repo, ConcurrentReconcilersTest.options("driver"))) {
            Fleet.importInventory(driver, Fleet.inventory(24, 6, 4, "4TiB"));
            Fleet.commitDesired(driver, Fleet.files("policies.yaml", Fleet.POLICIES));
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                StateStore s = StateStore.openOrCreate(repo, ConcurrentReconcilersTest.options("writer-" + t));
                stores.add(s);
                ConcurrentReconcilersTest.Share share = ConcurrentReconcilersTest.Share.overlapping(t, 3);
                writers.add(pool.submit(() -> reconcile(s, share, stop, published)));
            }
            AtomicInteger packed = new AtomicInteger();
            AtomicInteger overlapped = new AtomicInteger();
            StateStore shared = stores.get(0);
            StateStore own = StateStore.openOrCreate(repo, ConcurrentReconcilersTest.options("packer"));
            stores.add(own);
            Future<?> packer = pool.submit(() -> {
                for (int run = 0; !stop.get(); run++) {
                    StateStore through = run % 2 == 0 ? shared : own;
                    String before = through.resolve(StateStore.STATE_REF);
                    PackReport r = through.pack();
                    if (r.packed()) {
                        packed.incrementAndGet();
                        if (!through.resolve(StateStore.STATE_REF).equals(before)) {
                            overlapped.incrementAndGet();
                        }
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                return null;
            });

            int batches = 0;
            while (batches < MAX_BATCHES && (batches < 30 || overlapped.get() < OVERLAPS)) {
                Fleet.commitDesired(driver, Fleet.files("volumes/batch-" + batches + ".yaml",
                        Fleet.volumes("p" + batches, 0, BATCH, "2GiB")));
                int expected = ++batches * BATCH;
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                        .until(() -> allocated(driver) == expected);
            }
            stop.set(true);
            packer.get(2, TimeUnit.MINUTES);
            for (Future<?> w : writers) {
                w.get(2, TimeUnit.MINUTES);
            }
            System.out.printf("%d batches, %d state commits published, %d packs, %d with the state ref moving%n",
                    batches, published.size(), packed.get(), overlapped.get());
            assertThat(overlapped.get()).as("pack runs the state ref moved during").isGreaterThanOrEqualTo(OVERLAPS);

            assertWholeHistory(driver, published, batches * BATCH);
            assertThat(driver.pack().packed()).isTrue();
            assertWholeHistory(driver, published, batches * BATCH); // and once everything is in one pack
        } finally {
            stop.set(true);
            pool.shutdownNow();
            stores.forEach(StateStore::close);
        }
    }

    /** Reconciles until stopped and a pass found nothing to do; keeps every state commit it published. */
    private static Void reconcile(StateStore store, ConcurrentReconcilersTest.Share share, AtomicBoolean stop,
            Set<String> published) {
        Reconciler reconciler = new Reconciler(store, "main", share::owns, Fleet.TEST);
        while (true) {
            boolean stopping = stop.get();
            ReconcileReport r = reconciler.reconcileOnce();
            if (r.outcome() == ReconcileReport.Kind.RECORDED) {
                published.add(r.stateCommit());
            }
            if (stopping && r.outcome() == ReconcileReport.Kind.UNCHANGED) {
                return null;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static long allocated(StateStore store) {
        RecordedState s = StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
        return s.volumes().values().stream().filter(v -> v.allocation().isPresent()).count();
    }

    private void assertWholeHistory(StateStore store, Set<String> published, int volumes) throws Exception {
        String tip = store.resolve(StateStore.STATE_REF);
        List<String> chain = store.firstParents(StateStore.STATE_REF, tip, "");
        assertThat(chain).as("every published state commit is on the history").containsAll(published);
        Set<String> remembered = new LinkedHashSet<>(store.previousTips(StateStore.STATE_REF));
        assertThat(remembered).as("the reflog still names every published commit").containsAll(published);
        for (String commit : chain) {
            assertThat(store.damagedObjects(StateStore.STATE_REF, commit)).as("state commit %s", commit).isEmpty();
        }
        assertThat(allocated(store)).isEqualTo(volumes);
        FsckReport fsck = Fsck.check(store, "main");
        assertThat(fsck.findings()).isEmpty();
        HistoryCheck.Report history = HistoryCheck.check(store, "main", "");
        assertThat(history.findings()).extracting(HistoryCheck.Finding::render).isEmpty();
        assertThat(history.commits()).isEqualTo(chain.size());
        assertThat(HistoryAudit.audit(store)).isEmpty();
        if (GitDaemon.gitAvailable()) {
            Process git = new ProcessBuilder("git", "--git-dir", tmp.resolve("desired.git").toString(), "fsck",
                    "--full", "--no-dangling").redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(git.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(git.exitValue()).as("git fsck --full:%n%s", out).isZero();
        }
    }
}
