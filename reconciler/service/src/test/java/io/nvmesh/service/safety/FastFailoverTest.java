package io.nvmesh.service.safety;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
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
 * The fast failover paths against the whole recorded history. Three reconciler processes, a simulated fleet whose
 * nodes journal every session and command ({@link NodeJournal}), volumes applied before, during and after the
 * failure. A SIGKILL is detected by refused connects (the orphans and the failed heartbeats make the survivors probe);
 * a SIGSTOP only by silence (the agents give up their silent owner, the survivors hold them until membership declares
 * it dead), and the stopped instance resumes later still believing it owns its share. Either way no node may take
 * commands from two owners at once, no stale owner may record what a node served after a newer owner did, no volume
 * may be placed twice, and the whole history keeps the rules ({@link WholeHistory}).
 */
class FastFailoverTest {

    /** The production heartbeat: the paths measured in bench/failover.sh, with their real timings. */
    static final ReconcilerProcesses.Settings SETTINGS = new ReconcilerProcesses.Settings(Duration.ofMillis(150),
            Duration.ofMillis(500), 3, false);

    @RegisterExtension
    final SafetyCase safety = new SafetyCase();

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aKilledOwnersNodesTakeCommandsFromOneOwnerAtATime() throws Exception {
        RunningCluster c = RunningCluster.start(safety.dir(), safety.started(), SETTINGS, true, false, 11);
        ReconcilerProcesses rs = c.instances;
        TreeSet<String> all = new TreeSet<>(c.applyBatch("a", 5));
        c.awaitPlaced(all, Duration.ofSeconds(60));

        String victim = "r2";
        List<String> survivors = new ArrayList<>(rs.ids());
        survivors.remove(victim);
        all.addAll(c.applyBatch("k", 5));
        rs.kill(victim);
        all.addAll(c.applyBatch("s", 5));
        rs.awaitLive(survivors, Duration.ofSeconds(30));
        c.awaitPlaced(all, Duration.ofSeconds(75));
        KilledReconcilerTest.awaitCaughtUp(c);
        assertThat(deathsByRefusal(rs, survivors, victim)).as("survivors that declared %s dead by refused connects",
                victim).isNotEmpty();

        WholeHistory.Verdict v = c.verdict(all, Set.of());
        assertThat(v.violations()).isEmpty();
        System.out.println("FastFailoverTest (kill): " + c.journal.summary() + "; " + v.stateCommits()
                + " state commits checked");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aStoppedOwnerThatResumesNeverCommandsOrRecordsBesideItsSuccessor() throws Exception {
        RunningCluster c = RunningCluster.start(safety.dir(), safety.started(), SETTINGS, true, false, 13);
        ReconcilerProcesses rs = c.instances;
        TreeSet<String> all = new TreeSet<>(c.applyBatch("a", 5));
        c.awaitPlaced(all, Duration.ofSeconds(60));

        String victim = "r1";
        List<String> survivors = new ArrayList<>(rs.ids());
        survivors.remove(victim);
        rs.signal(victim, "STOP");
        try {
            rs.awaitLive(survivors, Duration.ofSeconds(30));
            // Placed by the survivors while the stopped owner still holds its share in its own view; the new layouts
            // reach the targets through their new owners.
            List<String> during = c.applyBatch("p", 5);
            all.addAll(during);
            c.awaitPlaced(during, Duration.ofSeconds(60));
            KilledReconcilerTest.awaitCaughtUp(c);
        } finally {
            rs.signal(victim, "CONT");
        }
        rs.awaitLive(rs.ids(), Duration.ofSeconds(30));
        all.addAll(c.applyBatch("r", 5));
        c.awaitPlaced(all, Duration.ofSeconds(60));
        KilledReconcilerTest.awaitCaughtUp(c);
        assertThat(Files.readString(rs.log(victim))).as("the resumed instance noticed its own pause")
                .contains("membership did not run for");

        WholeHistory.Verdict v = c.verdict(all, Set.of());
        assertThat(v.violations()).isEmpty();
        System.out.println("FastFailoverTest (stop): " + c.journal.summary() + "; " + v.stateCommits()
                + " state commits checked");
    }

    /** The survivors whose log says they declared {@code victim} dead after refused connects. */
    private static List<String> deathsByRefusal(ReconcilerProcesses rs, List<String> survivors, String victim)
            throws java.io.IOException {
        List<String> out = new ArrayList<>();
        for (String s : survivors) {
            if (Files.readString(rs.log(s)).contains(s + ": " + victim + " is dead (2 connects refused")) {
                out.add(s);
            }
        }
        return out;
    }
}
