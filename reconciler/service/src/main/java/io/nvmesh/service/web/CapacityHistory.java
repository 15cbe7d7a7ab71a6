package io.nvmesh.service.web;

import io.nvmesh.core.allocation.Usage;
import io.nvmesh.service.counters.CapacitySnapshot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The whole cluster's bytes over the last hour, as this instance's counters held them: the counters keep only the
 * current figures, so a timer copies them into a ring every {@link #DEFAULT_EVERY} (one per interval, oldest dropped
 * first). A read that fell between two halves of a replicated change ({@code consistent: false}) and a cluster with
 * no bytes counted yet are skipped, not drawn as a dip. In memory only: a restarted instance starts empty.
 *
 * <p>Memory: seven longs per sample, so {@link #DEFAULT_CAPACITY} samples are about 40 KB per instance.
 */
public final class CapacityHistory implements AutoCloseable {

    public static final Duration DEFAULT_EVERY = Duration.ofSeconds(5);
    /** One hour at {@link #DEFAULT_EVERY}. */
    public static final int DEFAULT_CAPACITY = 720;

    /** The cluster's bytes at one moment, epoch milliseconds of this instance's clock. */
    public record Sample(long atMillis, Usage cluster) {
    }

    private final int capacity;
    private final long everyMillis;
    private final long[] at;
    private final long[][] values;
    private final ScheduledExecutorService timer;
    private int start;
    private int size;

    private CapacityHistory(int capacity, Duration every, ScheduledExecutorService timer) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a history holds at least one sample, got " + capacity);
        }
        this.capacity = capacity;
        this.everyMillis = every.toMillis();
        this.at = new long[capacity];
        this.values = new long[6][capacity];
        this.timer = timer;
    }

    /** A history fed by hand ({@link #record}); for tests. */
    public static CapacityHistory manual(int capacity, Duration every) {
        return new CapacityHistory(capacity, every, null);
    }

    /**
     * Copies {@code counters} every {@code every}, the first time at once.
     *
     * @param name used in the timer thread's name
     */
    public static CapacityHistory sampling(Supplier<CapacitySnapshot> counters, LongSupplier clock, Duration every,
                                           int capacity, String name) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nvmesh-capacity-history-" + name);
            t.setDaemon(true);
            return t;
        });
        CapacityHistory history = new CapacityHistory(capacity, every, timer);
        timer.scheduleAtFixedRate(() -> {
            try {
                history.record(clock.getAsLong(), counters.get());
            } catch (RuntimeException e) {
                System.getLogger(CapacityHistory.class.getName()).log(System.Logger.Level.WARNING,
                        "capacity sampling failed: " + e.getMessage());
            }
        }, 0, Math.max(1, every.toMillis()), TimeUnit.MILLISECONDS);
        return history;
    }

    /** Keeps the snapshot's cluster bytes, unless the read was half-way through a change or counted nothing yet. */
    public synchronized void record(long atMillis, CapacitySnapshot snapshot) {
        Usage u = snapshot.cluster();
        if (!snapshot.consistent() || u.total() == 0) {
            return;
        }
        int i;
        if (size < capacity) {
            i = (start + size) % capacity;
            size++;
        } else {
            i = start;
            start = (start + 1) % capacity;
        }
        at[i] = atMillis;
        values[0][i] = u.total();
        values[1][i] = u.free();
        values[2][i] = u.data();
        values[3][i] = u.redundant();
        values[4][i] = u.withheld();
        values[5][i] = u.offline();
    }

    /** Oldest first. */
    public synchronized List<Sample> samples() {
        List<Sample> out = new ArrayList<>(size);
        for (int k = 0; k < size; k++) {
            int i = (start + k) % capacity;
            out.add(new Sample(at[i], new Usage(values[0][i], values[1][i], values[2][i], values[3][i], values[4][i],
                    values[5][i])));
        }
        return out;
    }

    public int capacity() {
        return capacity;
    }

    public long everyMillis() {
        return everyMillis;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
