package io.nvmesh.service.counters;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An instance that comes back without its counter file starts its claims from scratch: its first claim on a partition
 * may have the same term as one its previous incarnation left on the peers. The two must not mix: the previous
 * incarnation's entries of counters the new one does not write (a volume then online, now degraded) would count for
 * ever, everywhere, and the new incarnation would not see its own claim as contested.
 */
class CounterIncarnationsTest {

    private static final String VOLUME = "volume/v-001";
    private static final Duration IDLE = Duration.ofSeconds(5);

    @ParameterizedTest(name = "rebuilt provisionally first: {0}")
    @ValueSource(booleans = {true, false})
    void aNewIncarnationWithoutItsFileReplacesThePreviousIncarnationsWholeContribution(boolean rebuilt)
            throws InterruptedException {
        try (Counters peer = Counters.onHeap("r2", 1_000)) {
            try (Counters first = Counters.onHeap("r1", 1_000)) {
                first.follow(Set.of(VOLUME));
                first.contributeFrom(p -> new PartitionState(1, Map.of("volumes/online", 1L)));
                first.awaitIdle(IDLE);
                peer.merge(first.entries());
                assertThat(peer.totals()).isEqualTo(Map.of("volumes/online", 1L));
            }
            Map<String, Long> degraded = Map.of("volumes/degraded", 1L);
            try (Counters second = Counters.onHeap("r1", 2_000)) {
                if (rebuilt) {
                    second.rebuild(() -> Map.of(VOLUME, degraded));
                }
                second.follow(Set.of(VOLUME));
                second.contributeFrom(p -> new PartitionState(1, degraded));
                second.awaitIdle(IDLE);

                peer.merge(second.entries());
                second.merge(peer.entries()); // what a digest pull brings back, the old incarnation's entries too
                second.awaitIdle(IDLE);
                peer.merge(second.entries());

                assertThat(peer.totals()).as("the peer").isEqualTo(degraded);
                assertThat(second.totals()).as("the new incarnation").isEqualTo(degraded);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aNewIncarnationWithoutItsFileOutranksClaimsItsPreviousIncarnationRaisedWithoutBeingToldThem()
            throws InterruptedException {
        try (Counters peer = Counters.onHeap("r2", 1_000)) {
            // The previous incarnation of r1 handed the volume back and forth: its claim there is well above 1.
            peer.merge(java.util.List.of(new CounterEntry(VOLUME, "volumes/online", 1,
                    new Stamp(1_500, "r1", 1_000, 9))));
            Map<String, Long> degraded = Map.of("volumes/degraded", 1L);
            try (Counters second = Counters.onHeap("r1", 2_000)) {
                second.follow(Set.of(VOLUME));
                second.contributeFrom(p -> new PartitionState(1, degraded));
                second.awaitIdle(IDLE);

                // No peer hands r1's old entries back to it (a peer serves only its own): r1 must outrank them unseen.
                assertThat(peer.mergeFrom("r1", second.entries()).clean()).isTrue();
                assertThat(peer.totals()).isEqualTo(degraded);
            }
        }
    }
}
