package io.nvmesh.service.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.reconcile.Fsck;
import io.nvmesh.core.reconcile.FsckReport;
import io.nvmesh.core.reconcile.StateRefs;
import io.nvmesh.core.reconcile.StateWriter;
import io.nvmesh.core.state.StateStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The state ref is lost while three reconciler processes run on it: first its file is overwritten with garbage, then
 * (after a restore) deleted. Every instance must stop writing and say so ({@code /readyz} 503 with the reason,
 * {@code nvmesh_state_writable 0}), no writer may start a new state over it, fsck must name the last good commit, and
 * restoring that commit must bring every instance back to work. No node agents: the instances' own reconcile passes
 * must notice (an agent's inventory report would go through the writer and could hide a pass that does not).
 */
class LostStateRefTest {

    static final ReconcilerProcesses.Settings SETTINGS = SafetyCase.QUICK;
    /** Failed passes each instance must have had while the ref was lost, before the ref file is looked at again. */
    static final int FAILED_PASSES = 3;

    record Size(int volumesPerBatch, int rounds) {
        static final Size SMALL = new Size(3, 1);
    }

    @RegisterExtension
    final SafetyCase safety = new SafetyCase();

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aGarbageOrDeletedStateRefStopsEveryInstanceUntilAPersonRestoresTheLastGoodCommit() throws Exception {
        Tally t = run(safety.dir(), safety.started(), Size.SMALL, 5);

        assertThat(t.verdict().violations()).isEmpty();
        System.out.println("LostStateRefTest: " + t);
    }

    static Tally run(Path dir, Started started, Size size, long seed) throws Exception {
        RunningCluster c = RunningCluster.start(dir, started, SETTINGS, false, false, seed);
        List<String> notes = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>(c.applyBatch("a", size.volumesPerBatch()));
        c.awaitPlaced(all, Duration.ofSeconds(60));
        String anchor = c.store.resolve(StateWriter.ANCHOR_REF);
        Set<String> restored = new LinkedHashSet<>();

        for (int round = 1; round <= size.rounds(); round++) {
            for (boolean garbage : new boolean[] {true, false}) {
                String fault = garbage ? "garbage" : "deleted";
                Map<String, Integer> failedBefore = failedPasses(c);
                String lastGood = loseStateRef(c.repo, garbage);
                // New desired volumes: the instances have work they must not record.
                List<String> waiting = c.applyBatch(fault + round, size.volumesPerBatch());
                all.addAll(waiting);

                await("every instance not ready (" + fault + " state ref)").atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                            for (String id : c.instances.ids()) {
                                assertThat(c.instances.readyz(id)).as(id).hasValueSatisfying(r -> {
                                    assertThat(r.status()).isEqualTo(503);
                                    assertThat(r.reason()).contains("refs/nvmesh/state")
                                            .contains(garbage ? "unreadable" : "missing, but a state existed");
                                });
                                assertThat(c.instances.metric(id, "nvmesh_state_writable")).as(id).hasValue(0);
                            }
                        });
                await(FAILED_PASSES + " more failed passes on every instance").atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(100)).until(() -> {
                            Map<String, Integer> now = failedPasses(c);
                            return c.instances.ids().stream().allMatch(id -> now.getOrDefault(id, 0)
                                    >= failedBefore.getOrDefault(id, 0) + FAILED_PASSES);
                        });

                // No writer started a new state: the ref is as the fault left it, the anchor as it was.
                Path ref = c.repo.resolve(StateStore.STATE_REF);
                if (garbage) {
                    assertThat(Files.readString(ref)).isEqualTo("not-a-sha\n");
                } else {
                    assertThat(ref).doesNotExist();
                    assertThat(c.store.resolve(StateStore.STATE_REF)).isEmpty();
                }
                assertThat(c.store.resolve(StateWriter.ANCHOR_REF)).isEqualTo(anchor);
                FsckReport fsck = Fsck.check(c.store, "main");
                assertThat(fsck.errors()).extracting(FsckReport.Finding::message)
                        .anySatisfy(m -> assertThat(m).contains("last good commit: " + lastGood));

                StateRefs.restore(c.store, lastGood);
                restored.add(lastGood);
                await("every instance ready again").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                        .untilAsserted(() -> {
                            for (String id : c.instances.ids()) {
                                assertThat(c.instances.readyz(id)).as(id).hasValueSatisfying(r ->
                                        assertThat(r.status()).as(r.reason()).isEqualTo(200));
                                assertThat(c.instances.metric(id, "nvmesh_state_writable")).as(id).hasValue(1);
                            }
                        });
                c.awaitPlaced(waiting, Duration.ofSeconds(30));
                notes.add(fault + " state ref: writers stopped, restored to " + lastGood.substring(0, 8));
            }
        }
        KilledReconcilerTest.awaitCaughtUp(c);
        WholeHistory.Verdict v = c.verdict(all, restored);
        return new Tally("lost state ref", c.applies(), v, notes);
    }

    /**
     * Overwrites the state ref's file with garbage, or deletes it, as a slip of a person or a disk would, but under the
     * ref's lock so that no writer moves it in between: the commit it held is the last good one.
     */
    static String loseStateRef(Path repo, boolean garbage) throws IOException {
        Path ref = repo.resolve(StateStore.STATE_REF);
        Path lock = repo.resolve(StateStore.STATE_REF + ".lock");
        await("the state ref's lock").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() -> {
            try {
                Files.createFile(lock);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false; // a writer is publishing
            }
        });
        try {
            String lastGood = Files.readString(ref, StandardCharsets.UTF_8).strip();
            if (garbage) {
                Files.writeString(lock, "not-a-sha\n");
                Files.move(lock, ref, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.delete(ref);
            }
            return lastGood;
        } finally {
            Files.deleteIfExists(lock);
        }
    }

    /** Failed passes each instance still shows in {@code /v1/reconcile/results} (it keeps the last 50). */
    private static Map<String, Integer> failedPasses(RunningCluster c) {
        Map<String, Integer> out = new TreeMap<>();
        for (String id : c.instances.ids()) {
            c.instances.json(id, "/v1/reconcile/results").ifPresent(r -> {
                int n = 0;
                for (var item : r.path("results")) {
                    if (item.path("outcome").asString().equals("failed")) {
                        n++;
                    }
                }
                out.put(id, n);
            });
        }
        return out;
    }
}
