package io.nvmesh.service.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.state.StateStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three reconciler processes and a simulated fleet; one instance is killed with SIGKILL while its reconcile thread is
 * running (a pass or an inventory write in progress) just after new volumes were applied. The survivors declare it
 * dead, take over its nodes and volumes and place what is applied next; nothing placed before is placed again and the
 * whole history keeps the rules.
 */
class KilledReconcilerTest {

    /**
     * @param kills         how many times an instance is killed (and, but for the last, started again)
     * @param overGitDaemon whether the instances reach the repository through a {@code git daemon}
     */
    record Size(int volumesPerBatch, int kills, boolean overGitDaemon) {
        static final Size SMALL = new Size(5, 1, false);
    }

    static final ReconcilerProcesses.Settings SETTINGS = SafetyCase.QUICK;

    @RegisterExtension
    final SafetyCase safety = new SafetyCase();

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void survivorsTakeOverAKilledInstanceAndNothingIsPlacedTwice() throws Exception {
        Tally t = run(safety.dir(), safety.started(), Size.SMALL, 7);

        assertThat(t.verdict().violations()).isEmpty();
        System.out.println("KilledReconcilerTest: " + t);
    }

    static Tally run(Path dir, Started started, Size size, long seed) throws Exception {
        RunningCluster c = RunningCluster.start(dir, started, SETTINGS, true, size.overGitDaemon(), seed);
        ReconcilerProcesses rs = c.instances;
        List<String> notes = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>(c.applyBatch("a", size.volumesPerBatch()));
        c.awaitPlaced(all, Duration.ofSeconds(60));

        List<String> live = new ArrayList<>(rs.ids());
        for (int k = 1; k <= size.kills(); k++) {
            boolean last = k == size.kills();
            List<String> batch = c.applyBatch("k" + k, size.volumesPerBatch());
            all.addAll(batch);
            String victim = busiest(rs, live, batch);
            String before = c.store.resolve(StateStore.STATE_REF);
            rs.hook(victim); // a pass at once, on top of the poll
            boolean midPass;
            try {
                await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(1))
                        .until(() -> rs.reconcileThreadRunning(victim).orElse(true));
                midPass = rs.reconcileThreadRunning(victim).orElse(false);
            } catch (ConditionTimeoutException e) {
                midPass = false;
            }
            rs.kill(victim);
            boolean lockLeft = lockLeftBehind(c.repo.resolve(StateStore.STATE_REF + ".lock"));
            notes.add("kill " + k + ": " + victim + (midPass ? " with its reconcile thread running" : " (not seen "
                    + "running)") + ", " + c.stateCommitsSince(before).size() + " state commit(s) since the batch"
                    + (lockLeft ? ", left the state ref's lock behind" : ""));
            List<String> survivors = new ArrayList<>(live);
            survivors.remove(victim);
            List<String> after = c.applyBatch("s" + k, size.volumesPerBatch());
            all.addAll(after);
            // Dead after 3 silent heartbeats; a lock a SIGKILL left behind is taken back after 30 s.
            rs.awaitLive(survivors, Duration.ofSeconds(30));
            c.awaitPlaced(all, Duration.ofSeconds(75));
            if (!last) {
                rs.restart(victim);
                rs.awaitLive(live, Duration.ofSeconds(60));
            } else {
                live = survivors;
            }
        }
        c.awaitPlaced(all, Duration.ofSeconds(30));
        awaitCaughtUp(c);
        WholeHistory.Verdict v = c.verdict(all, Set.of());
        return new Tally("kill -9 mid-pass", c.applies(), v, notes);
    }

    /**
     * Whether the state ref's lock stays: a survivor holds it for milliseconds, so a lock still there after two seconds
     * is the victim's, left for StaleLocks to take back (after 30 s).
     */
    private static boolean lockLeftBehind(Path lock) {
        try {
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).until(() -> !Files.exists(lock));
            return false;
        } catch (ConditionTimeoutException e) {
            return true;
        }
    }

    /** The live instance that places most of {@code volumes}, as it says itself. */
    private static String busiest(ReconcilerProcesses rs, List<String> live, List<String> volumes) {
        Map<String, Integer> owned = new HashMap<>();
        for (String v : volumes) {
            rs.ownerOf(live.get(0), v).ifPresent(o -> owned.merge(o, 1, Integer::sum));
        }
        return live.stream().max(java.util.Comparator.comparingInt(id -> owned.getOrDefault(id, 0))).orElseThrow();
    }

    /** The state records the desired branch's tip: nothing is left for the survivors to do. */
    static void awaitCaughtUp(RunningCluster c) {
        await("the state records the desired tip").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> c.recorded().reconciled().desiredCommit().equals(c.store.resolve("refs/heads/main")));
    }
}
