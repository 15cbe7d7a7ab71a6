package io.nvmesh.service.counters;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Peers' counter messages, honest and forged, delivered shuffled, duplicated and in random batches through the path
 * the endpoint and digest repair use ({@link Counters#mergeFrom}): the merged totals always equal the totals of the
 * honest contributions alone, written out independently below. Forged: entries of another contributor (a real peer or
 * a made-up one), terms and sequences past the bound, epochs from the future, negative or oversized counts, counters
 * a partition never contributes, partitions nobody knows, malformed partitions.
 */
class CounterTrustProperties {

    private static final long NOW = 1_000_000;
    private static final List<String> WRITERS = List.of("r1", "r2", "r3");
    private static final Set<String> KNOWN = Set.of("target/t1", "target/t2", "volume/v1", "client/c1");
    /** Per partition, the counters it may contribute and the highest value honest writers give them. */
    private static final Map<String, Map<String, Long>> COUNTERS = Map.of(
            "target/t1", Map.of("bytes/free/cluster", 1L << 40, "bytes/data/target/t1", 1L << 40,
                    "bytes/total/domain/rack=r1", 1L << 40, "servers/target/healthy", 1L, "drives/ok", 24L),
            "target/t2", Map.of("bytes/free/cluster", 1L << 40, "bytes/withheld/class/fast", 1L << 40,
                    "servers/target/unhealthy", 1L),
            "volume/v1", Map.of("volumes/online", 1L, "volumes/degraded", 1L),
            "client/c1", Map.of("servers/client/connected", 1L, "servers/client/lost", 1L));

    /** A message: who sends it, and what. */
    record Message(String sender, List<CounterEntry> entries, boolean forged) {
    }

    @Provide
    Arbitrary<List<CounterEntry>> honest() {
        Arbitrary<Object[]> write = Combinators.combine(Arbitraries.of(WRITERS), Arbitraries.of(List.copyOf(KNOWN)),
                Arbitraries.longs().between(1, 4), Arbitraries.longs().between(1, 3), Arbitraries.integers(),
                Arbitraries.longs().between(0, Long.MAX_VALUE))
                .as((w, p, t, e, c, v) -> new Object[] {w, p, t, e, c, v});
        return write.list().ofMinSize(1).ofMaxSize(50).map(ws -> {
            List<CounterEntry> out = new ArrayList<>();
            Map<String, Long> seq = new HashMap<>();
            for (Object[] w : ws) {
                String partition = (String) w[1];
                List<String> counters = new ArrayList<>(new TreeMap<>(COUNTERS.get(partition)).keySet());
                String counter = counters.get(Math.floorMod((int) w[4], counters.size()));
                long value = (long) w[5] % (COUNTERS.get(partition).get(counter) + 1);
                out.add(new CounterEntry(partition, counter, value, new Stamp((long) w[2], (String) w[0], (long) w[3],
                        seq.merge((String) w[0], 1L, Long::sum))));
            }
            return out;
        });
    }

    @Property(tries = 300)
    void mergedTotalsAreTheHonestContributionsTotals(@ForAll("honest") List<CounterEntry> honest, @ForAll long seed)
            throws Exception {
        Random random = new Random(seed);
        List<Message> messages = new ArrayList<>();
        // Every honest entry arrives at least once, from its contributor, in batches of random sizes; some twice.
        for (String writer : WRITERS) {
            List<CounterEntry> own = new ArrayList<>(honest.stream()
                    .filter(e -> e.stamp().contributor().equals(writer)).toList());
            own.addAll(own.stream().filter(e -> random.nextInt(3) == 0).toList());
            Collections.shuffle(own, random);
            for (int i = 0; i < own.size(); ) {
                int n = 1 + random.nextInt(4);
                messages.add(new Message(writer, own.subList(i, Math.min(own.size(), i + n)), false));
                i += n;
            }
        }
        for (int i = 0, n = 1 + random.nextInt(12); i < n; i++) {
            messages.add(forged(random, honest));
        }
        Collections.shuffle(messages, random);

        try (Counters observer = Counters.onHeap("r0", 1, () -> NOW)) {
            observer.contributeAlso(KNOWN);
            for (Message m : messages) {
                MergeOutcome outcome = observer.mergeFrom(m.sender(), m.entries());
                if (m.forged()) {
                    assertThat(outcome.clean()).as("a forged message from %s: %s", m.sender(), m.entries()).isFalse();
                }
                if (!m.forged()) {
                    assertThat(outcome.refused()).as("an honest message").isEmpty();
                }
            }
            assertThat(observer.totals()).isEqualTo(expectedTotals(honest));
        }
    }

    /** A message with at least one forged entry, maybe beside copies of the sender's honest ones. */
    private static Message forged(Random random, List<CounterEntry> honest) {
        String sender = WRITERS.get(random.nextInt(WRITERS.size()));
        long seq = 1 + random.nextInt(100);
        Stamp own = new Stamp(1 + random.nextInt(4), sender, 1 + random.nextInt(3), seq);
        CounterEntry forged = switch (random.nextInt(11)) {
            case 0 -> new CounterEntry("target/t1", "bytes/free/cluster", 1L << 40,
                    new Stamp(Long.MAX_VALUE, "made-up", 1, seq));
            case 1 -> new CounterEntry("volume/v1", "volumes/online", 1,
                    new Stamp(4, WRITERS.get((WRITERS.indexOf(sender) + 1) % 3), 3, seq));
            case 2 -> new CounterEntry("target/t2", "bytes/free/cluster", 0,
                    new Stamp(Long.MAX_VALUE, sender, 1, seq));
            case 3 -> new CounterEntry("target/t2", "servers/target/unhealthy", 1,
                    new Stamp(5, sender, 1, Long.MAX_VALUE - random.nextInt(10)));
            case 4 -> new CounterEntry("client/c1", "servers/client/connected", 1,
                    new Stamp(5, sender, NOW + EntryRules.DEFAULT_SKEW.toMillis() + 1, seq));
            case 5 -> new CounterEntry("target/t1", "servers/target/healthy", -50, own);
            case 6 -> new CounterEntry("volume/v1", "volumes/online", 1_000_000, own);
            case 7 -> new CounterEntry("target/t1", "volumes/online", 1, own);
            case 8 -> new CounterEntry("target/t1", "bytes/free/target/t2", 1L << 30, own);
            case 9 -> new CounterEntry("volume/ghost", "volumes/online", 1, own);
            default -> new CounterEntry("node/t1", "drives/ok", 1, own);
        };
        List<CounterEntry> entries = new ArrayList<>();
        honest.stream().filter(e -> e.stamp().contributor().equals(sender) && random.nextBoolean()).limit(3)
                .forEach(entries::add);
        entries.add(random.nextInt(entries.size() + 1), forged);
        return new Message(sender, entries, true);
    }

    /** The merge rule written out over the honest entries: highest claim per partition, latest seq per counter. */
    private static Map<String, Long> expectedTotals(List<CounterEntry> honest) {
        Map<String, Stamp> claim = new HashMap<>();
        for (CounterEntry e : honest) {
            claim.merge(e.partition(), e.stamp(), (a, b) -> a.compareClaim(b) >= 0 ? a : b);
        }
        Map<String, CounterEntry> latest = new HashMap<>();
        for (CounterEntry e : honest) {
            if (e.stamp().sameClaim(claim.get(e.partition()))) {
                latest.merge(e.partition() + "|" + e.counter(), e,
                        (a, b) -> a.stamp().seq() >= b.stamp().seq() ? a : b);
            }
        }
        Map<String, Long> totals = new TreeMap<>();
        latest.values().forEach(e -> totals.merge(e.counter(), e.value(), Math::addExact));
        totals.values().removeIf(v -> v == 0);
        return totals;
    }
}
