package io.nvmesh.service.agent;

import java.util.random.RandomGenerator;

/**
 * Exponential backoff with "equal jitter": the n-th retry waits a random time in {@code [d/2, d]} where {@code d =
 * min(max, base · 2^n)}. Half the delay is certain (so a crowd of agents does not retry at once) and half is random
 * (so they spread out). The randomness is seeded, so a simulated fleet behaves the same on every run.
 */
final class Backoff {

    private final long baseMillis;
    private final long maxMillis;
    private final RandomGenerator random;
    private int attempt;

    Backoff(long baseMillis, long maxMillis, RandomGenerator random) {
        if (baseMillis < 1 || maxMillis < baseMillis) {
            throw new IllegalArgumentException("backoff needs 1 <= base <= max, got " + baseMillis + ", " + maxMillis);
        }
        this.baseMillis = baseMillis;
        this.maxMillis = maxMillis;
        this.random = random;
    }

    /** The delay before the next attempt; each call doubles the ceiling until it reaches the maximum. */
    long next() {
        long ceiling = attempt >= 30 ? maxMillis : Math.min(maxMillis, baseMillis << attempt);
        attempt++;
        long half = ceiling / 2;
        return half + random.nextLong(ceiling - half + 1);
    }

    /** After a success the next failure starts again from the base. */
    void reset() {
        attempt = 0;
    }
}
