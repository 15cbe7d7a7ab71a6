package io.nvmesh.service.counters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a peer's counter entries may say ({@link EntryRules}, {@link Counters#mergeFrom}), what a counter file may
 * hold when it is opened, and the repair of a partition whose counted contribution disagrees with the recount.
 */
class CounterRulesTest {

    private static final long NOW = 1_000_000;
    private static final Duration IDLE = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private static CounterEntry entry(String partition, String counter, long value, long term, String contributor) {
        return new CounterEntry(partition, counter, value, new Stamp(term, contributor, 1, 1));
    }

    @Test
    void aBatchWithAnotherContributorsEntryIsRefusedWhole() {
        try (Counters c = Counters.onHeap("r1", 1, () -> NOW)) {
            c.contributeAlso(Set.of("target/t1"));
            MergeOutcome outcome = c.mergeFrom("r2", List.of(
                    entry("target/t1", "servers/target/healthy", 1, 1, "r2"),
                    entry("target/t1", "bytes/free/cluster", 1L << 40, Long.MAX_VALUE, "made-up")));

            assertThat(outcome.whole()).isTrue();
            assertThat(outcome.first().reason()).isEqualTo(EntryRules.NOT_YOUR_ID);
            assertThat(outcome.first().entry().stamp().contributor()).isEqualTo("made-up");
            assertThat(c.totals()).as("nothing of the batch merged").isEmpty();
        }
    }

    @Test
    void anEntryBreakingARuleRefusesTheWholeBatchAndNamesTheRule() {
        Map<CounterEntry, String> bad = Map.of(
                entry("target/t1", "bytes/free/cluster", 1, Long.MAX_VALUE, "r2"), EntryRules.BAD_STAMP,
                new CounterEntry("target/t1", "drives/ok", 1, new Stamp(1, "r2", 1, (1L << 62) + 1)),
                EntryRules.BAD_STAMP,
                new CounterEntry("target/t1", "drives/ok", 1, new Stamp(1, "r2", NOW + 5 * 60_000 + 1, 1)),
                EntryRules.FUTURE_EPOCH,
                entry("target/t1", "servers/target/healthy", -50, 1, "r2"), EntryRules.BAD_VALUE,
                entry("volume/v1", "volumes/online", 1_000_000, 1, "r2"), EntryRules.BAD_VALUE,
                entry("target/t1", "bytes/free/cluster", (1L << 60) + 1, 1, "r2"), EntryRules.BAD_VALUE,
                entry("target/t1", "volumes/online", 1, 1, "r2"), EntryRules.BAD_COUNTER,
                entry("target/t1", "bytes/free/target/t2", 1, 1, "r2"), EntryRules.BAD_COUNTER,
                entry("target/t1", "bytes/allocated/cluster", 1, 1, "r2"), EntryRules.BAD_COUNTER,
                entry("node/t1", "drives/ok", 1, 1, "r2"), EntryRules.BAD_PARTITION);
        bad.forEach((e, reason) -> {
            try (Counters c = Counters.onHeap("r1", 1, () -> NOW)) {
                c.contributeAlso(Set.of("target/t1", "volume/v1"));
                MergeOutcome outcome = c.mergeFrom("r2", List.of(entry("volume/v1", "volumes/online", 1, 1, "r2"), e));
                assertThat(outcome.whole()).as("%s", e).isTrue();
                assertThat(outcome.first().reason()).as("%s", e).isEqualTo(reason);
                assertThat(c.totals()).as("%s", e).isEmpty();
            }
        });
    }

    @Test
    void aTermBeyondTheClockIsRefusedForNoHonestTakeOverCouldOutrankIt() {
        try (Counters c = Counters.onHeap("r1", 1, () -> NOW)) {
            c.contributeAlso(Set.of("target/t1"));
            MergeOutcome beyond = c.mergeFrom("r2", List.of(entry("target/t1", "drives/ok", 1,
                    NOW + 5 * 60_000 + 1, "r2")));
            MergeOutcome within = c.mergeFrom("r2", List.of(entry("target/t1", "drives/ok", 1, NOW + 5 * 60_000,
                    "r2")));

            assertThat(beyond.whole()).isTrue();
            assertThat(beyond.first().reason()).isEqualTo(EntryRules.BAD_STAMP);
            assertThat(within.refused()).isEmpty();
            assertThat(c.totals()).containsEntry("drives/ok", 1L);
        }
    }

    @Test
    void aCountForAnUnknownPartitionIsRefusedButARetractionPasses() {
        try (Counters c = Counters.onHeap("r1", 1, () -> NOW)) {
            c.contributeAlso(Set.of("volume/v1"));
            MergeOutcome outcome = c.mergeFrom("r2", List.of(entry("volume/ghost", "volumes/online", 1, 1, "r2"),
                    entry("volume/v1", "volumes/online", 1, 1, "r2"),
                    entry("volume/gone", "volumes/online", 0, 2, "r2")));

            assertThat(outcome.whole()).isFalse();
            assertThat(outcome.refused()).extracting(EntryRules.Refusal::reason)
                    .containsExactly(EntryRules.UNKNOWN_PARTITION);
            assertThat(outcome.accepted()).isEqualTo(2);
            assertThat(c.totals()).isEqualTo(Map.of("volumes/online", 1L));
        }
    }

    @Test
    void aMirrorWithoutAViewOfTheStateTakesAnyPartition() {
        try (Counters c = Counters.onHeap("r1", 1, () -> NOW)) {
            assertThat(c.mergeFrom("r2", List.of(entry("volume/v9", "volumes/online", 1, 1, "r2"))).clean()).isTrue();
            assertThat(c.totals()).isEqualTo(Map.of("volumes/online", 1L));
        }
    }

    @Test
    void aTotalThatWouldOverflowIsRefusedNotWrapped() {
        try (Counters c = Counters.onHeap("r1", 1, () -> NOW)) {
            Set<String> targets = new HashSet<>();
            List<CounterEntry> huge = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                targets.add("target/t" + i);
                huge.add(entry("target/t" + i, "bytes/total/cluster", EntryRules.MAX_BYTES, 1, "r2"));
            }
            c.contributeAlso(targets);
            MergeOutcome outcome = c.mergeFrom("r2", huge);

            assertThat(outcome.refused()).extracting(EntryRules.Refusal::reason).containsOnly(EntryRules.OVERFLOW);
            assertThat(c.total("bytes/total/cluster")).as("seven fit, the eighth would wrap")
                    .isEqualTo(7 * EntryRules.MAX_BYTES);
        }
    }

    @Test
    void entriesBreakingTheRulesAreDroppedFromTheFileOnOpen() {
        Path files = dir.resolve("counters");
        long now = System.currentTimeMillis();
        try (Counters c = Counters.open(files, "r1", now)) {
            c.merge(List.of(entry("target/t1", "bytes/total/cluster", 4L << 40, 3, "r2"),
                    entry("target/t2", "bytes/total/cluster", 2L << 40, 3, "r3")));
        }
        try (ChronicleEntryStore store = ChronicleEntryStore.open(files, Counters.DEFAULT_MAX_ENTRIES)) {
            // The poison: a made-up contributor with the highest term, outranking the owner for ever.
            store.put(new CounterEntry("target/t1", "bytes/total/cluster", 0,
                    new Stamp(Long.MAX_VALUE, "made-up", 1, 1)));
            store.remove("target/t1", "bytes/total/cluster");
            store.put(new CounterEntry("target/t1", "bytes/total/cluster", 0,
                    new Stamp(Long.MAX_VALUE, "made-up", 1, 1)));
            store.put(new CounterEntry("target/t3", "servers/target/healthy", -50, new Stamp(1, "r2", 1, 1)));
            store.putMeta("epoch", Long.MAX_VALUE / 2);
        }
        try (Counters c = Counters.open(files, "r1", now + 1)) {
            assertThat(c.fileRepairs()).isEqualTo(2);
            assertThat(c.totals()).isEqualTo(Map.of("bytes/total/cluster", 2L << 40));
            assertThat(c.epoch()).as("an epoch from the future is not kept").isEqualTo(now + 1);
            assertThat(c.entries()).allSatisfy(e -> assertThat(e.stamp().term()).isLessThan(10));
        }
    }

    @Test
    void aPartitionNotOwnedHereThatDisagreesWithTheRecountIsCountedFromTheRecountUntilItsOwnerFixesIt()
            throws InterruptedException {
        AtomicReference<Map<String, Long>> state = new AtomicReference<>(Map.of("volumes/online", 1L));
        try (Counters c = Counters.onHeap("r1", 1, () -> NOW)) {
            c.checkEvery(Duration.ofMillis(200));
            c.follow(Set.of());
            c.contributeAlso(Set.of("volume/v1"));
            c.contributeFrom(p -> new PartitionState(1, p.equals("volume/v1") ? state.get() : Map.of()));
            CounterEntry wrong = new CounterEntry("volume/v1", "volumes/degraded", 1, new Stamp(7, "r2", 1, 1));
            c.mergeFrom("r2", List.of(wrong));
            await().atMost(IDLE).until(() -> !c.capacity(false).consistent());

            await().atMost(IDLE).until(() -> c.recountRepairs() == 1);
            assertThat(c.totals()).isEqualTo(Map.of("volumes/online", 1L));
            assertThat(c.capacity(false).consistent()).isTrue();

            // The owner's entries come back (digest repair) and still disagree: not dropped again, and reported.
            c.mergeFrom("r2", List.of(wrong));
            await().atMost(IDLE).until(() -> !c.capacity(false).consistent());
            // For three check intervals: no second repair of the same claim.
            await().during(Duration.ofMillis(600)).atMost(IDLE.plusMillis(600)).until(() -> c.recountRepairs() == 1);
            assertThat(c.totals()).isEqualTo(Map.of("volumes/degraded", 1L));

            // Its owner repairs it: consistent again.
            c.mergeFrom("r2", List.of(new CounterEntry("volume/v1", "volumes/online", 1, new Stamp(8, "r2", 1, 2))));
            await().atMost(IDLE).until(() -> c.capacity(false).consistent());
        }
    }

    @Test
    void anOwnedPartitionThatDisagreesWithTheRecountIsTakenOverAgain() throws InterruptedException {
        AtomicReference<Map<String, Long>> state = new AtomicReference<>(Map.of("volumes/online", 1L));
        try (Counters c = Counters.onHeap("r1", 1, () -> NOW)) {
            c.checkEvery(Duration.ofMillis(200));
            c.follow(Set.of("volume/v1"));
            c.contributeFrom(p -> new PartitionState(1, state.get()));
            c.awaitIdle(IDLE);
            assertThat(c.totals()).isEqualTo(Map.of("volumes/online", 1L));
            long term = c.entries().get(0).stamp().term();

            state.set(Map.of("volumes/degraded", 1L)); // a change whose delta never came
            await().atMost(IDLE).until(() -> c.recountRepairs() == 1);
            assertThat(c.totals()).isEqualTo(Map.of("volumes/degraded", 1L));
            assertThat(c.entries()).allSatisfy(e -> assertThat(e.stamp().term()).isEqualTo(term + 1));
            assertThat(c.drainOutbox()).as("the new claim is replicated").isNotEmpty();
        }
    }

    @Test
    void aCountOnItsWayIsNotRepaired() {
        AtomicReference<Map<String, Long>> state = new AtomicReference<>(Map.of("volumes/online", 1L));
        try (Counters c = Counters.onHeap("r1", 1, () -> NOW)) {
            c.checkEvery(Duration.ofMillis(300));
            c.contributeAlso(Set.of("volume/v1"));
            c.contributeFrom(p -> new PartitionState(1, p.equals("volume/v1") ? state.get() : Map.of()));
            // The owner's entries change as often as the recorded state does, never agreeing for a whole interval.
            for (int i = 1; i <= 20; i++) {
                String status = i % 2 == 0 ? "online" : "degraded";
                state.set(Map.of("volumes/" + status, 1L));
                await().pollDelay(Duration.ofMillis(50)).atMost(IDLE).until(() -> true);
                c.mergeFrom("r2", List.of(new CounterEntry("volume/v1", "volumes/" + (i % 2 == 0 ? "degraded"
                        : "online"), 1, new Stamp(1 + i, "r2", 1, i))));
            }
            assertThat(c.recountRepairs()).isZero();
        }
    }
}
