package io.nvmesh.core.state;

import java.time.Duration;
import java.util.SplittableRandom;

/** Delays before retries: exponential, capped, with "equal jitter" (half fixed, half random) from a seeded source. */
final class Backoff {

    private final RetryPolicy policy;
    private final SplittableRandom random;

    Backoff(RetryPolicy policy) {
        this.policy = policy;
        this.random = new SplittableRandom(policy.seed());
    }

    /** The wait before retry number {@code retry} (1 = the first retry). */
    synchronized Duration before(int retry) {
        long ceiling = ceiling(policy, retry);
        long half = ceiling / 2;
        long spread = ceiling - half;
        return Duration.ofNanos(half + (spread == 0 ? 0 : random.nextLong(spread + 1)));
    }

    /** min(maxDelay, baseDelay * 2^(retry-1)) in nanoseconds, without overflow. */
    static long ceiling(RetryPolicy policy, int retry) {
        long base = policy.baseDelay().toNanos();
        long max = policy.maxDelay().toNanos();
        int shift = Math.max(0, retry - 1);
        if (base == 0) {
            return 0;
        }
        if (shift >= 62 || base > (max >> shift)) {
            return max;
        }
        return Math.min(max, base << shift);
    }
}
