package io.nvmesh.service.feed;

import io.nvmesh.api.CapacityJson;
import io.nvmesh.api.ClusterJson;
import io.nvmesh.service.counters.Counters;
import io.nvmesh.service.events.EventHub;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Publishes {@code capacity} ({@code totals}) when this instance's counters moved and {@code cluster}
 * ({@code members}) when it saw membership or ownership change, each at most once per period (250 ms): a burst of
 * changes is one event carrying the latest payload.
 */
final class TotalsEvents implements AutoCloseable {

    public static final Duration PERIOD = Duration.ofMillis(250);

    private static final System.Logger LOG = System.getLogger(TotalsEvents.class.getName());

    private final EventHub events;
    private final Counters counters;
    private final Supplier<CapacityJson> capacity;
    private final Supplier<ClusterJson> cluster;
    private final AtomicBoolean clusterChanged = new AtomicBoolean(true);
    private final ScheduledExecutorService timer;
    private long published = -1;

    /**
     * @param capacity the {@code GET /v1/capacity} answer without per-target detail
     * @param cluster  the {@code GET /v1/cluster} answer
     */
    public TotalsEvents(String self, EventHub events, Counters counters, Supplier<CapacityJson> capacity,
                        Supplier<ClusterJson> cluster) {
        this.events = Objects.requireNonNull(events, "events");
        this.counters = Objects.requireNonNull(counters, "counters");
        this.capacity = Objects.requireNonNull(capacity, "capacity");
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nvmesh-totals-events-" + self);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Membership or ownership changed: a {@code cluster} event goes out with the next tick. */
    public void clusterChanged() {
        clusterChanged.set(true);
    }

    /** The current payload of {@code capacity} or {@code cluster} (the snapshot of a reset). */
    Object current(String topic) {
        return topic.equals("capacity") ? capacity.get() : cluster.get();
    }

    private void tick() {
        try {
            long changes = counters.changes();
            if (changes != published) {
                published = changes;
                events.publish("capacity", "totals", capacity.get());
            }
            if (clusterChanged.getAndSet(false)) {
                events.publish("cluster", "members", cluster.get());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot publish capacity or cluster", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
