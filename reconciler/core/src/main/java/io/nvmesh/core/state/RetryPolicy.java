package io.nvmesh.core.state;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link StateStore#update} retries after a lost race: at most {@code maxAttempts} attempts, waiting before retry
 * <i>n</i> a random time in [d/2, d] where d = min(maxDelay, baseDelay·2<sup>n-1</sup>). The random numbers come from
 * {@code seed}, so each writer has its own, reproducible jitter and writers that collided once do not collide again
 * in lock step.
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, long seed) {

    public static final int DEFAULT_MAX_ATTEMPTS = 50;
    public static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(2);
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMillis(250);

    public RetryPolicy {
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException(String.format("maxAttempts must be at least 1, was %d", maxAttempts));
        }
        if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException(
                    String.format("need 0 <= baseDelay <= maxDelay, was %s and %s", baseDelay, maxDelay));
        }
    }

    /** Defaults (50 attempts, 2 ms doubling up to 250 ms) with jitter seeded from the writer's name. */
    public static RetryPolicy forWriter(String writerId) {
        return new RetryPolicy(DEFAULT_MAX_ATTEMPTS, DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY, seedOf(writerId));
    }

    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(attempts, baseDelay, maxDelay, seed);
    }

    public RetryPolicy withDelays(Duration base, Duration max) {
        return new RetryPolicy(maxAttempts, base, max, seed);
    }

    static long seedOf(String writerId) {
        // FNV-1a 64: stable across JVMs, unlike String.hashCode mixing nothing into the high bits.
        long h = 0xcbf29ce484222325L;
        for (byte b : writerId.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
