package io.nvmesh.service.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.state.StateStore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three reconciler processes that reach each other only through {@link LoopbackProxy proxies}; one is cut off from the
 * other two (its heartbeats and theirs go unanswered, connections held open; in the scenario's even partitions, refused
 * at once instead) for several times the dead-after time. Both
 * sides then believe they own its volumes, and both place the volumes applied meanwhile on one repository: only
 * compare-and-swap on the state ref stands between them and a double allocation. After the partition heals, the whole
 * history must keep the rules and every ref move must have built on the tip it replaced.
 */
class PartitionTest {

    /**
     * @param minBatches batches applied during each partition at least
     * @param maxBatches at most, while one side has not yet recorded any placement
     * @param overGitDaemon whether the instances reach the repository through a {@code git daemon}
     * @param bothSides     whether a partition in which only one side placed volumes fails the case (else: a note)
     */
    record Size(int volumesPerBatch, int minBatches, int maxBatches, int partitions, boolean overGitDaemon,
                boolean bothSides) {
        static final Size SMALL = new Size(2, 3, 8, 1, false, true);
    }

    /** {@link SafetyCase#QUICK} with every peer reached through a proxy that a partition cuts. */
    static final ReconcilerProcesses.Settings SETTINGS = new ReconcilerProcesses.Settings(SafetyCase.QUICK.poll(),
            SafetyCase.QUICK.heartbeat(), SafetyCase.QUICK.missed(), true);

    @RegisterExtension
    final SafetyCase safety = new SafetyCase();

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void bothSidesOfAPartitionPlaceVolumesAndCompareAndSwapKeepsThemApart() throws Exception {
        Tally t = run(safety.dir(), safety.started(), Size.SMALL, 3);

        assertThat(t.verdict().violations()).isEmpty();
        System.out.println("PartitionTest: " + t);
    }

    static Tally run(Path dir, Started started, Size size, long seed) throws Exception {
        RunningCluster c = RunningCluster.start(dir, started, SETTINGS, false, size.overGitDaemon(), seed);
        ReconcilerProcesses rs = c.instances;
        List<String> notes = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>(c.applyBatch("a", 4));
        c.awaitPlaced(all, Duration.ofSeconds(60));

        for (int p = 1; p <= size.partitions(); p++) {
            String alone = rs.ids().get((p - 1) % rs.ids().size());
            List<String> others = new ArrayList<>(rs.ids());
            others.remove(alone);
            String start = c.store.resolve(StateStore.STATE_REF);
            // Odd partitions hold connections open and silent, even ones refuse them.
            LoopbackProxy.Mode how = p % 2 == 1 ? LoopbackProxy.Mode.BLACKHOLE : LoopbackProxy.Mode.RESET;
            rs.isolate(alone, how);
            long cut = System.nanoTime();
            await(alone + " alone, " + others + " together").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100)).until(() -> rs.live(alone).equals(
                            java.util.Optional.of(List.of(alone))) && others.stream().allMatch(o -> rs.live(o)
                            .equals(java.util.Optional.of(others))));
            // Both sides own every volume of the isolated one: it owns them all, the others share them.
            String probe = "p" + p + "-probe";
            assertThat(rs.ownerOf(alone, probe)).hasValue(alone);
            assertThat(rs.ownerOf(others.get(0), probe).orElseThrow()).isIn(others);

            int batches = 0;
            boolean aloneWrote = false;
            boolean othersWrote = false;
            while (batches < size.minBatches() || batches < size.maxBatches() && !(aloneWrote && othersWrote)) {
                batches++;
                List<String> batch = c.applyBatch("p" + p + "-" + batches, size.volumesPerBatch());
                all.addAll(batch);
                // A pass at once on one side, the sides in turn: whichever passes first places the whole batch (each
                // side owns all of it), and left to their polls one side can win every time.
                rs.hook(batches % 2 == 1 ? others.get(batches / 2 % others.size()) : alone);
                c.awaitPlaced(batch, Duration.ofSeconds(30));
                for (String commit : c.stateCommitsSince(start)) {
                    if (!commit.contains("\treconcile ")) {
                        continue;
                    }
                    if (commit.startsWith("nvmesh reconciler " + alone + "\t")) {
                        aloneWrote = true;
                    } else {
                        othersWrote = true;
                    }
                }
            }
            long heldMillis = (System.nanoTime() - cut) / 1_000_000;
            notes.add("partition " + p + " (" + how.name().toLowerCase(java.util.Locale.ROOT) + "): " + alone
                    + " alone for " + heldMillis + " ms (dead after "
                    + SETTINGS.deadAfter().toMillis() + " ms), " + batches + " batch(es); placements recorded by "
                    + (aloneWrote ? alone : "") + (aloneWrote && othersWrote ? " and " : "")
                    + (othersWrote ? "the majority" : ""));
            if (size.bothSides()) {
                assertThat(aloneWrote && othersWrote).as("both sides placed volumes during the partition (%s)",
                        notes.get(notes.size() - 1)).isTrue();
            }
            // Still cut off: the isolated one never heard from the others.
            assertThat(rs.live(alone)).hasValue(List.of(alone));

            rs.heal();
            rs.awaitLive(rs.ids(), Duration.ofSeconds(30));
        }
        all.addAll(c.applyBatch("healed", size.volumesPerBatch()));
        c.awaitPlaced(all, Duration.ofSeconds(60));
        KilledReconcilerTest.awaitCaughtUp(c);
        WholeHistory.Verdict v = c.verdict(all, Set.of());
        return new Tally("network partition", c.applies(), v, notes);
    }
}
