package io.nvmesh.service.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class BackoffProperties {

    @Property(tries = 300)
    void everyDelayIsBetweenHalfAndAllOfItsCappedCeiling(@ForAll @LongRange(min = 1, max = 5_000) long base,
                                                         @ForAll @IntRange(min = 1, max = 64) int factor,
                                                         @ForAll @IntRange(min = 1, max = 40) int attempts,
                                                         @ForAll long seed) {
        long max = base * factor;
        Backoff b = new Backoff(base, max, new SplittableRandom(seed));
        for (int n = 0; n < attempts; n++) {
            long ceiling = n >= 30 ? max : Math.min(max, base << n);
            assertThat(b.next()).isBetween(ceiling / 2, ceiling);
        }
    }

    @Property(tries = 100)
    void theSameSeedGivesTheSameDelays(@ForAll long seed) {
        Backoff a = new Backoff(100, 1_000, new SplittableRandom(seed));
        Backoff b = new Backoff(100, 1_000, new SplittableRandom(seed));
        for (int n = 0; n < 10; n++) {
            assertThat(a.next()).isEqualTo(b.next());
        }
    }

    @Property(tries = 100)
    void resetStartsAgainFromTheBase(@ForAll long seed) {
        Backoff b = new Backoff(100, 10_000, new SplittableRandom(seed));
        for (int n = 0; n < 8; n++) {
            b.next();
        }
        b.reset();
        assertThat(b.next()).isBetween(50L, 100L);
    }
}
