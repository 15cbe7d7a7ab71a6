package io.nvmesh.service.events;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;

/**
 * One consumer's view of the hub: the items for its filters in order, in a bounded queue. A consumer that lets the
 * queue fill up loses what was queued and finds a {@link Reset} per filter instead, so a slow reader never holds up a
 * publisher. Items are taken with {@link #poll}; the hub calls the ready callback (outside its lock) after adding
 * some, and the callback must not block.
 */
public final class Subscription implements AutoCloseable {

    private final EventHub hub;
    private final Set<String> filters;
    private final int capacity;
    private final Runnable ready;
    private final Duration keepalive;
    /** Given back on close: the stream's place under the {@link StreamLimits}, or nothing. */
    private final AutoCloseable lease;
    private final ArrayDeque<StreamItem> queue = new ArrayDeque<>();
    private volatile long lastItemNanos = System.nanoTime();
    private volatile boolean closed;

    Subscription(EventHub hub, Set<String> filters, int capacity, Duration keepalive, Runnable ready,
                 AutoCloseable lease) {
        this.hub = hub;
        this.lease = lease;
        this.filters = Set.copyOf(filters);
        this.capacity = capacity;
        this.keepalive = keepalive;
        this.ready = ready;
    }

    public Set<String> filters() {
        return filters;
    }

    boolean wants(String topic) {
        for (String f : filters) {
            if (Topics.matches(f, topic)) {
                return true;
            }
        }
        return false;
    }

    /** The next item, or null when there is none now. */
    public synchronized StreamItem poll() {
        return queue.poll();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Adds an event; on overflow replaces everything queued with one reset per filter. Returns false on overflow. */
    synchronized boolean offer(Event event) {
        if (closed) {
            return true;
        }
        lastItemNanos = System.nanoTime();
        if (queue.size() < capacity) {
            queue.add(event);
            return true;
        }
        queue.clear();
        return false;
    }

    synchronized void offerAll(List<? extends StreamItem> items) {
        if (closed) {
            return;
        }
        lastItemNanos = System.nanoTime();
        queue.addAll(items);
    }

    /** Adds a keepalive when nothing was added for the keepalive interval. Returns whether it did. */
    synchronized boolean tick(long nowNanos) {
        if (closed || nowNanos - lastItemNanos < keepalive.toNanos() || queue.size() >= capacity) {
            return false;
        }
        lastItemNanos = nowNanos;
        queue.add(Keepalive.INSTANCE);
        return true;
    }

    Duration keepalive() {
        return keepalive;
    }

    void signal() {
        if (!closed) {
            ready.run();
        }
    }

    /** Stops delivery and withdraws the interest (after the linger time). Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
        }
        hub.unsubscribe(this);
        try {
            lease.close();
        } catch (Exception e) {
            throw new IllegalStateException("a lease gives its place back without failing", e);
        }
    }
}
