package io.nvmesh.service.http;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Counts failed authentications per source address in fixed windows; a source that fails more than {@code max}
 * times in one window is locked out for {@code lockout}. Jetty's {@code DoSHandler} limits the rate of all requests,
 * not of failures, so it cannot tell a guesser from a busy dashboard; this counts only what failed.
 */
final class AuthFailureLimit {

    /** Past this many sources, stale ones are swept on the next failure. */
    private static final int SWEEP_ABOVE = 10_000;

    private final int max;
    private final long windowNanos;
    private final long lockoutNanos;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<String, Source> sources = new ConcurrentHashMap<>();

    private static final class Source {
        long windowStart;
        int failures;
        long lockedUntil;
        boolean locked;
    }

    AuthFailureLimit(int max, Duration window, Duration lockout, LongSupplier nanos) {
        this.max = max;
        this.windowNanos = window.toNanos();
        this.lockoutNanos = lockout.toNanos();
        this.nanos = nanos;
    }

    /** How long the source is still locked out, zero when it is not. */
    Duration lockedFor(String ip) {
        Source s = sources.get(ip);
        if (s == null) {
            return Duration.ZERO;
        }
        long now = nanos.getAsLong();
        synchronized (s) {
            return s.locked && now - s.lockedUntil < 0 ? Duration.ofNanos(s.lockedUntil - now) : Duration.ZERO;
        }
    }

    /** Counts a failure; true when it is the one that locks the source out. */
    boolean failed(String ip) {
        long now = nanos.getAsLong();
        if (sources.size() > SWEEP_ABOVE) {
            sweep(now);
        }
        Source s = sources.computeIfAbsent(ip, k -> new Source());
        synchronized (s) {
            if (s.failures == 0 || now - s.windowStart >= windowNanos) {
                s.windowStart = now;
                s.failures = 0;
            }
            s.failures++;
            if (s.failures > max && !(s.locked && now - s.lockedUntil < 0)) {
                s.locked = true;
                s.lockedUntil = now + lockoutNanos;
                s.failures = 0;
                return true;
            }
            return false;
        }
    }

    int max() {
        return max;
    }

    Duration window() {
        return Duration.ofNanos(windowNanos);
    }

    private void sweep(long now) {
        sources.entrySet().removeIf(e -> {
            Source s = e.getValue();
            synchronized (s) {
                return now - s.windowStart >= windowNanos && !(s.locked && now - s.lockedUntil < 0);
            }
        });
    }
}
