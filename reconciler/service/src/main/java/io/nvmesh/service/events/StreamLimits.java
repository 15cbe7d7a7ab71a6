package io.nvmesh.service.events;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many event streams (SSE and WebSocket together) consumers may hold open on one instance, and how many filters
 * each may have. Without a bound, one read token could open enough streams of enough filters that this instance's
 * interest no longer fits a peer's body limit. A stream takes a {@link Lease} before it starts (before a WebSocket
 * upgrade) and gives it back when it ends.
 */
public final class StreamLimits {

    /** Why a stream was refused; the label of the refusals metric. */
    public enum Reason {
        /** The caller (one token's name) already holds its most streams. */
        CALLER,
        /** The instance already holds its most streams. */
        INSTANCE,
        /** The stream asked for more filters than one stream may have. */
        FILTERS;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param perCaller        streams one caller (a token's name) may hold open on an instance
     * @param perInstance      streams an instance holds open for all callers together
     * @param filtersPerStream filters one stream may have
     */
    public record Limits(int perCaller, int perInstance, int filtersPerStream) {

        /** Far above a dashboard and a few CLIs (a browser tab or a watch is one stream, a few filters each). */
        public static final Limits DEFAULTS = new Limits(32, 5_000, 64);

        public Limits {
            if (perCaller < 1 || perInstance < perCaller || filtersPerStream < 1) {
                throw new IllegalArgumentException("limits are positive and an instance holds at least one caller's"
                        + " streams: " + perCaller + ", " + perInstance + ", " + filtersPerStream);
            }
        }
    }

    /** A stream was not opened; {@link #reason} says which limit, the message says it in words. */
    public static final class Refused extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final Reason reason;

        Refused(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    /** One open stream's place; {@link #close} gives it back (idempotent). */
    public final class Lease implements AutoCloseable {

        private final String caller;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease(String caller) {
            this.caller = caller;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release(caller);
            }
        }
    }

    private final Limits limits;
    // Guarded by this.
    private final Map<String, Integer> byCaller = new HashMap<>();
    private int open;
    private final Map<Reason, AtomicLong> refusals = new EnumMap<>(Reason.class);

    StreamLimits(Limits limits) {
        this.limits = limits;
        for (Reason r : Reason.values()) {
            refusals.put(r, new AtomicLong());
        }
    }

    public Limits limits() {
        return limits;
    }

    /**
     * A place for one stream of {@code filters} filters held by {@code caller}.
     *
     * @throws Refused when a limit is reached (counted)
     */
    public synchronized Lease open(String caller, int filters) {
        if (filters > limits.filtersPerStream()) {
            throw refuse(Reason.FILTERS, "a stream may have at most " + limits.filtersPerStream() + " filters, got "
                    + filters + "; use a wildcard such as volume/* for many topics of a kind");
        }
        int mine = byCaller.getOrDefault(caller, 0);
        if (mine >= limits.perCaller()) {
            throw refuse(Reason.CALLER, caller + " already holds " + mine + " event streams on this instance, the"
                    + " most one credential may; close one first");
        }
        if (open >= limits.perInstance()) {
            throw refuse(Reason.INSTANCE, "this instance already holds " + open + " event streams, its most; try"
                    + " again later or another instance");
        }
        byCaller.put(caller, mine + 1);
        open++;
        return new Lease(caller);
    }

    private Refused refuse(Reason reason, String message) {
        refusals.get(reason).incrementAndGet();
        return new Refused(reason, message);
    }

    private synchronized void release(String caller) {
        byCaller.computeIfPresent(caller, (c, n) -> n == 1 ? null : n - 1);
        open--;
    }

    /** Streams open now. */
    public synchronized int open() {
        return open;
    }

    /** Streams open now by {@code caller}. */
    public synchronized int openBy(String caller) {
        return byCaller.getOrDefault(caller, 0);
    }

    /** Refused streams since start, by {@link Reason#label()}. */
    public Map<String, Long> refusals() {
        Map<String, Long> out = new TreeMap<>();
        refusals.forEach((reason, n) -> out.put(reason.label(), n.get()));
        return out;
    }
}
