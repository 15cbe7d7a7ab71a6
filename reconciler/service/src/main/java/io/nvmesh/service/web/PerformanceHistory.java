package io.nvmesh.service.web;

import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.Performance;
import io.nvmesh.service.nodes.ReportedNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The last minutes of performance reports of the targets this instance owns: one sample per report an agent sent
 * (the hub keeps only the latest), at most {@code capacity} per target, oldest dropped first. A target that moved to
 * another owner is forgotten here; its new owner starts its own history.
 *
 * <p>Memory: seven longs per sample, so 600 samples (10 minutes at one report a second) are about 34 KB per target.
 */
public final class PerformanceHistory implements AutoCloseable {

    /** Ten minutes at the agents' default report interval of one second. */
    public static final int DEFAULT_CAPACITY = 600;

    /** One report: when the owner received it, and what it said. */
    public record Sample(long atMillis, Performance performance) {
    }

    private final int capacity;
    private final Map<String, Ring> rings = new HashMap<>();
    private final ScheduledExecutorService timer;

    private PerformanceHistory(int capacity, ScheduledExecutorService timer) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a history holds at least one sample, got " + capacity);
        }
        this.capacity = capacity;
        this.timer = timer;
    }

    /** A history fed by hand ({@link #record}); for tests and for callers with a timer of their own. */
    public static PerformanceHistory manual(int capacity) {
        return new PerformanceHistory(capacity, null);
    }

    /**
     * Reads {@code targets} every {@code every} (the agents' report interval: polling faster finds nothing new,
     * slower would miss reports) and keeps each new report.
     *
     * @param name used in the timer thread's name
     */
    public static PerformanceHistory sampling(Supplier<List<ReportedNode>> targets, Duration every, int capacity,
                                              String name) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nvmesh-perf-history-" + name);
            t.setDaemon(true);
            return t;
        });
        PerformanceHistory history = new PerformanceHistory(capacity, timer);
        long millis = Math.max(1, every.toMillis());
        timer.scheduleWithFixedDelay(() -> {
            try {
                history.record(targets.get());
            } catch (RuntimeException e) {
                System.getLogger(PerformanceHistory.class.getName()).log(System.Logger.Level.WARNING,
                        "performance sampling failed: " + e.getMessage());
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
        return history;
    }

    /**
     * Keeps the report of each target whose last report is newer than its latest sample; forgets targets that are
     * no longer listed (they moved to another owner). A disconnected target keeps its history but gains nothing.
     */
    public synchronized void record(List<ReportedNode> targets) {
        Set<String> listed = new HashSet<>();
        for (ReportedNode n : targets) {
            if (n.kind() != NodeKind.TARGET) {
                continue;
            }
            listed.add(n.id());
            if (!n.connected() || n.reports() == 0) {
                continue; // the hello carries no performance: only reports do
            }
            Ring ring = rings.computeIfAbsent(n.id(), id -> new Ring(capacity));
            if (ring.size == 0 || n.lastReportMillis() > ring.lastAt()) {
                ring.add(n.lastReportMillis(), n.performance());
            }
        }
        rings.keySet().retainAll(listed);
    }

    /** Whether this instance holds a history for the target (it owns it and has heard a report). */
    public synchronized boolean knows(String targetId) {
        return rings.containsKey(targetId);
    }

    /** The target's samples, oldest first; empty when it is not known here. */
    public synchronized List<Sample> of(String targetId) {
        Ring ring = rings.get(targetId);
        return ring == null ? List.of() : ring.samples();
    }

    public int capacity() {
        return capacity;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Primitive columns rather than objects: a history of a thousand targets stays a few tens of megabytes. */
    private static final class Ring {
        final long[] at;
        final long[][] values;
        int start;
        int size;

        Ring(int capacity) {
            at = new long[capacity];
            values = new long[6][capacity];
        }

        long lastAt() {
            return at[(start + size - 1) % at.length];
        }

        void add(long atMillis, Performance p) {
            int i;
            if (size < at.length) {
                i = (start + size) % at.length;
                size++;
            } else {
                i = start;
                start = (start + 1) % at.length;
            }
            at[i] = atMillis;
            values[0][i] = p.readIops();
            values[1][i] = p.writeIops();
            values[2][i] = p.readBytesPerSecond();
            values[3][i] = p.writeBytesPerSecond();
            values[4][i] = p.latencyP50Micros();
            values[5][i] = p.latencyP99Micros();
        }

        List<Sample> samples() {
            List<Sample> out = new ArrayList<>(size);
            for (int k = 0; k < size; k++) {
                int i = (start + k) % at.length;
                out.add(new Sample(at[i], new Performance(values[0][i], values[1][i], values[2][i], values[3][i],
                        values[4][i], values[5][i])));
            }
            return out;
        }
    }
}
