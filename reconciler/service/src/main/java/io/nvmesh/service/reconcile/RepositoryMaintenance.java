package io.nvmesh.service.reconcile;

import io.nvmesh.core.state.PackReport;
import io.nvmesh.core.state.StateStore;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Packs the repository every interval, started right after a pass so that it runs while the loop is idle, on a
 * thread of its own at the lowest priority (with single-threaded delta search: a pass that starts meanwhile keeps the
 * other cores; docs/BENCHMARKS.md measures a pass with and without a concurrent pack).
 *
 * <p>One instance at a time: a repository on this machine is shared by every instance that names its path, so only
 * the instance that {@code MAINTENANCE_KEY} goes to on the ownership ring (rendezvous hashing over the live members,
 * the same answer on every instance) packs it. Ownership only spreads the work: during a membership change two
 * instances may both believe they are the one, and then the OS lock {@code StateStore.pack} takes makes the second
 * answer busy. A URL repository is packed on its server; each instance packs only its own mirror of it.
 */
final class RepositoryMaintenance implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RepositoryMaintenance.class.getName());

    /** The ring key whose owner packs a shared repository. */
    static final String MAINTENANCE_KEY = "maintenance/state-repository";

    private final String self;
    private final StateStore store;
    private final Duration every;
    private final Supplier<String> packer;
    private final LongSupplier nanoTime;
    private final ExecutorService thread;
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Consumer<PackRun>> listeners = new CopyOnWriteArrayList<>();
    /** When the last run started (or, before the first, when this instance started): confined to the loop thread. */
    private long lastStart;
    private volatile boolean closed;

    /**
     * @param packer who packs the repository now: this instance's id for a mirror of its own, the ring's owner of
     *               {@link #MAINTENANCE_KEY} for a shared one
     */
    RepositoryMaintenance(String self, StateStore store, Duration every, Supplier<String> packer,
                          LongSupplier nanoTime) {
        this.self = self;
        this.store = store;
        this.every = every;
        this.packer = packer;
        this.nanoTime = nanoTime;
        this.lastStart = nanoTime.getAsLong();
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nvmesh-pack-" + self);
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
    }

    /** Hears every run's result, on the pack thread; must be quick. */
    void addListener(Consumer<PackRun> listener) {
        listeners.add(listener);
    }

    /**
     * Called after every pass, on the loop thread: starts a run if one is due, this instance is the one to pack, and
     * none is running. Never waits for it.
     */
    void afterPass() {
        if (closed || every.isZero()) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (now - lastStart < every.toNanos() || !self.equals(packer.get())) {
            return;
        }
        if (!running.compareAndSet(false, true)) {
            return;
        }
        lastStart = now;
        try {
            thread.execute(this::run);
        } catch (RejectedExecutionException e) {
            running.set(false);
        }
    }

    private void run() {
        long start = System.nanoTime();
        PackRun result;
        try {
            PackReport r = store.pack();
            String outcome = r.outcome().name().toLowerCase(Locale.ROOT);
            result = new PackRun(outcome, r.reason(), r.took(), r.after().looseObjects(), r.after().packs());
            LOG.log(r.outcome() == PackReport.Outcome.REFUSED ? System.Logger.Level.WARNING
                    : System.Logger.Level.INFO, () -> self + ": pack " + outcome + " in "
                    + r.took().toMillis() + " ms: loose objects " + r.before().looseObjects() + " -> "
                    + r.after().looseObjects() + ", packs " + r.before().packs() + " -> " + r.after().packs()
                    + (r.reason().isEmpty() ? "" : " (" + r.reason() + ")"));
        } catch (RuntimeException e) {
            result = new PackRun("failed", String.valueOf(e.getMessage()), Duration.ofNanos(System.nanoTime() - start),
                    0, 0);
            LOG.log(System.Logger.Level.WARNING, () -> self + ": pack failed: " + e.getMessage());
        } finally {
            running.set(false);
        }
        for (Consumer<PackRun> l : listeners) {
            try {
                l.accept(result);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, self + ": a pack listener failed", e);
            }
        }
    }

    /**
     * Stops starting runs and waits a little for one in flight (not interrupted: an interrupt inside JGit closes its
     * pack file channels under it); one still running after that is left to finish on its daemon thread, which is
     * safe at any point (a new pack is complete before an old one is deleted).
     */
    @Override
    public void close() {
        closed = true;
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
