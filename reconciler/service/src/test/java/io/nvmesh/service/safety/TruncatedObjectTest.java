package io.nvmesh.service.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.reconcile.Fsck;
import io.nvmesh.core.reconcile.FsckReport;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.StateStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A loose object of the state's tip (a volume file's blob) is truncated on disk while three reconciler processes run,
 * and one of them is restarted: it has no copy of the object in memory, so every pass it makes needs the damaged one.
 * It must not say it is ready and must not write while the others, which still hold the blob in their caches, go on.
 * Once the object is put back from a copy, it works again, and the whole history keeps the rules. No node agents, so
 * that the restarted instance's passes alone must notice.
 */
class TruncatedObjectTest {

    static final ReconcilerProcesses.Settings SETTINGS = SafetyCase.QUICK;

    record Size(int volumesPerBatch, int rounds) {
        static final Size SMALL = new Size(4, 1);
    }

    @RegisterExtension
    final SafetyCase safety = new SafetyCase();

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aRestartedInstanceThatCannotReadAnObjectNeitherReportsReadyNorWritesUntilItIsRepaired() throws Exception {
        Tally t = run(safety.dir(), safety.started(), Size.SMALL, 11);

        assertThat(t.verdict().violations()).isEmpty();
        System.out.println("TruncatedObjectTest: " + t);
    }

    static Tally run(Path dir, Started started, Size size, long seed) throws Exception {
        RunningCluster c = RunningCluster.start(dir, started, SETTINGS, false, false, seed);
        ReconcilerProcesses rs = c.instances;
        List<String> notes = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>(c.applyBatch("a", size.volumesPerBatch()));
        c.awaitPlaced(all, Duration.ofSeconds(60));

        for (int round = 1; round <= size.rounds(); round++) {
            String victim = rs.ids().get(round % rs.ids().size());
            // The blob of a volume file at the tip, and the loose file holding it.
            String volume = all.stream().skip(round - 1).findFirst().orElseThrow();
            String path = StateFiles.volumePath(volume);
            String blob = c.git("rev-parse", StateStore.STATE_REF + ":" + path).get(0).strip();
            Path loose = c.repo.resolve("objects/" + blob.substring(0, 2) + "/" + blob.substring(2));
            assertThat(loose).as("the blob is a loose object").exists();
            byte[] copy = Files.readAllBytes(loose);
            loose.toFile().setWritable(true);
            Files.write(loose, Arrays.copyOf(copy, copy.length / 2));
            String damagedAt = c.store.resolve(StateStore.STATE_REF);

            rs.restart(victim);
            List<String> waiting = c.applyBatch("t" + round, size.volumesPerBatch());
            all.addAll(waiting);
            await(victim + " up but not ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> {
                        assertThat(rs.readyz(victim)).hasValueSatisfying(r -> {
                            assertThat(r.status()).isEqualTo(503);
                            assertThat(r.reason()).contains(path);
                        });
                        assertThat(rs.metric(victim, "nvmesh_state_writable")).hasValue(0);
                    });
            // The others place their share of the new volumes (their caches still hold the blob); the victim's
            // share waits. Fsck with no cache names the damaged object.
            try (StateStore fresh = StateStore.openOrCreate(c.repo)) {
                assertThat(Fsck.check(fresh, "main").errors()).extracting(FsckReport.Finding::message)
                        .anySatisfy(m -> assertThat(m).contains(path).contains(blob));
            }
            rs.awaitLive(rs.ids(), Duration.ofSeconds(30));
            List<String> byVictim = c.stateCommitsSince(damagedAt).stream()
                    .filter(l -> l.startsWith("nvmesh reconciler " + victim + "\t")).toList();
            assertThat(byVictim).as("commits by %s while it cannot read %s", victim, path).isEmpty();

            Files.write(loose, copy);
            await(victim + " ready again").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(rs.readyz(victim)).hasValueSatisfying(r ->
                            assertThat(r.status()).as(r.reason()).isEqualTo(200)));
            c.awaitPlaced(waiting, Duration.ofSeconds(30));
            notes.add("round " + round + ": " + path + " truncated, " + victim + " restarted: not ready, no writes; "
                    + "repaired from a copy");
        }
        KilledReconcilerTest.awaitCaughtUp(c);
        WholeHistory.Verdict v = c.verdict(all, Set.of());
        return new Tally("truncated object", c.applies(), v, notes);
    }
}
