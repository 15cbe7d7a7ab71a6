package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Retry delays: bounded, growing, and the same for the same writer. */
class BackoffProperties {

    @Property(tries = 200)
    void everyWaitLiesBetweenHalfAndAllOfItsCeiling(@ForAll long seed, @ForAll @LongRange(min = 0, max = 50) long base,
            @ForAll @LongRange(min = 0, max = 5_000) long extra, @ForAll @IntRange(min = 1, max = 200) int retry) {
        RetryPolicy p = new RetryPolicy(50, Duration.ofMillis(base), Duration.ofMillis(base + extra), seed);
        long ceiling = Backoff.ceiling(p, retry);

        long wait = new Backoff(p).before(retry).toNanos();

        assertThat(ceiling).isLessThanOrEqualTo(p.maxDelay().toNanos());
        assertThat(wait).isBetween(ceiling / 2, ceiling);
    }

    @Property(tries = 100)
    void ceilingsDoubleUntilTheCapAndNeverShrink(@ForAll @LongRange(min = 1, max = 50) long base,
            @ForAll @LongRange(min = 0, max = 5_000) long extra) {
        RetryPolicy p = new RetryPolicy(50, Duration.ofMillis(base), Duration.ofMillis(base + extra), 1);
        long previous = 0;
        for (int retry = 1; retry <= 100; retry++) {
            long c = Backoff.ceiling(p, retry);
            assertThat(c).isGreaterThanOrEqualTo(previous);
            if (previous > 0 && c < p.maxDelay().toNanos()) {
                assertThat(c).isEqualTo(previous * 2);
            }
            previous = c;
        }
        assertThat(previous).isEqualTo(p.maxDelay().toNanos());
    }

    @Property(tries = 50)
    void theSameWriterWaitsTheSameAndAnotherWriterDifferently(@ForAll("writers") String writer) {
        List<Duration> first = waits(RetryPolicy.forWriter(writer));
        List<Duration> again = waits(RetryPolicy.forWriter(writer));
        List<Duration> other = waits(RetryPolicy.forWriter(writer + "-other"));

        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> writers() {
        return net.jqwik.api.Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12);
    }

    private static List<Duration> waits(RetryPolicy p) {
        Backoff b = new Backoff(p);
        List<Duration> out = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            out.add(b.before(i));
        }
        return out;
    }
}
