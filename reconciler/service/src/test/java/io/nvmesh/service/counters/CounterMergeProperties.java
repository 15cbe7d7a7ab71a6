package io.nvmesh.service.counters;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The merge rule over generated histories of three writers handing four partitions back and forth: whatever order
 * the entries arrive in, and however often each arrives, the result is the same, and every total counts each
 * partition under one claim only.
 */
class CounterMergeProperties {

    private static final List<String> WRITERS = List.of("r1", "r2", "r3");
    private static final List<String> PARTITIONS = List.of("target/t1", "target/t2", "volume/v1", "client/c1");
    private static final List<String> COUNTERS = List.of("bytes/free/cluster", "bytes/data/domain/rack=r1",
            "servers/target/healthy");

    @Provide
    Arbitrary<List<CounterEntry>> histories() {
        // (writer, partition, term, counter, value, epoch); a unique sequence is added below, as a writer would.
        Arbitrary<Object[]> write = Combinators.combine(
                Arbitraries.of(WRITERS), Arbitraries.of(PARTITIONS), Arbitraries.longs().between(1, 4),
                Arbitraries.of(COUNTERS), Arbitraries.longs().between(-1_000, 1_000), Arbitraries.longs().between(1, 3))
                .as((w, p, t, c, v, e) -> new Object[] {w, p, t, c, v, e});
        return write.list().ofMinSize(1).ofMaxSize(60).map(ws -> {
            List<CounterEntry> out = new ArrayList<>();
            long seq = 0;
            for (Object[] w : ws) {
                out.add(new CounterEntry((String) w[1], (String) w[3], (long) w[4],
                        new Stamp((long) w[2], (String) w[0], (long) w[5], ++seq)));
            }
            return out;
        });
    }

    @Property(tries = 300)
    void duplicatesAndReorderingChangeNothing(@ForAll("histories") List<CounterEntry> history,
                                              @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int copies) {
        CounterTable inOrder = new CounterTable(new HeapEntryStore());
        history.forEach(inOrder::offer);

        List<CounterEntry> shuffled = new ArrayList<>();
        Random random = new Random(seed);
        for (CounterEntry e : history) {
            for (int i = 0; i < 1 + random.nextInt(copies); i++) {
                shuffled.add(e);
            }
        }
        Collections.shuffle(shuffled, random);
        CounterTable mixed = new CounterTable(new HeapEntryStore());
        // Delivered as batches of random sizes, like pushes and pulls.
        int i = 0;
        while (i < shuffled.size()) {
            int n = 1 + random.nextInt(5);
            shuffled.subList(i, Math.min(shuffled.size(), i + n)).forEach(mixed::offer);
            i += n;
        }

        assertThat(sorted(mixed.entries())).isEqualTo(sorted(inOrder.entries()));
        assertThat(mixed.totals()).isEqualTo(inOrder.totals());
        assertThat(mixed.digests()).isEqualTo(inOrder.digests());
    }

    @Property(tries = 300)
    void everyPartitionCountsOnceUnderItsHighestClaim(@ForAll("histories") List<CounterEntry> history) {
        CounterTable table = new CounterTable(new HeapEntryStore());
        history.forEach(table::offer);

        // The rule written out independently: highest claim per partition, latest (epoch, seq) per counter in it.
        Map<String, Stamp> claim = new HashMap<>();
        for (CounterEntry e : history) {
            claim.merge(e.partition(), e.stamp(), (a, b) -> a.compareClaim(b) >= 0 ? a : b);
        }
        Map<String, CounterEntry> latest = new HashMap<>();
        for (CounterEntry e : history) {
            if (e.stamp().sameClaim(claim.get(e.partition()))) {
                latest.merge(e.key(), e, (a, b) -> a.stamp().compareTo(b.stamp()) >= 0 ? a : b);
            }
        }
        Map<String, Long> expected = new TreeMap<>();
        latest.values().forEach(e -> expected.merge(e.counter(), e.value(), Long::sum));
        expected.values().removeIf(v -> v == 0);

        assertThat(table.totals()).isEqualTo(expected);
        assertThat(sorted(table.entries())).isEqualTo(sorted(new ArrayList<>(latest.values())));
    }

    @Property(tries = 100)
    void loadingTheStoredEntriesGivesTheSameTables(@ForAll("histories") List<CounterEntry> history) {
        HeapEntryStore store = new HeapEntryStore();
        CounterTable table = new CounterTable(store);
        history.forEach(table::offer);
        store.putTotal("bytes/free/cluster", 12345); // a total left wrong by a crash

        CounterTable reloaded = new CounterTable(store);
        reloaded.load();

        CounterTable fresh = new CounterTable(new HeapEntryStore());
        history.forEach(fresh::offer);
        assertThat(reloaded.totals()).isEqualTo(fresh.totals());
        assertThat(reloaded.digests()).isEqualTo(fresh.digests());
    }

    private static List<CounterEntry> sorted(List<CounterEntry> entries) {
        List<CounterEntry> out = new ArrayList<>(entries);
        out.sort((a, b) -> a.key().compareTo(b.key()));
        return out;
    }
}
