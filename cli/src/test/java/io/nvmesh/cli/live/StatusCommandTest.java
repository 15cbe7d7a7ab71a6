package io.nvmesh.cli.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.cli.Nvmesh;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.Policies;
import io.nvmesh.core.testing.TestPorts;
import io.nvmesh.service.ClusterExtension;
import io.nvmesh.service.TestAuth;
import io.nvmesh.service.sim.SimulatedFleet;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code nvmesh status} in-process against three real instances on loopback (ports picked free, Jetty on them), each
 * reconciling one bare repository, with a small simulated fleet: what it shows, after an instance dies, and when no
 * instance answers.
 */
class StatusCommandTest {

    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final String DESIRED = Policies.MIRROR + """
            ---
            apiVersion: nvmesh.io/v1
            kind: Volume
            metadata:
              name: logs
            spec:
              policy: mirror
              capacity: 50GiB
              clients: [c-001]
              deletionProtection: false
            ---
            apiVersion: nvmesh.io/v1
            kind: Volume
            metadata:
              name: data
            spec:
              policy: mirror
              capacity: 100GiB
              clients: [c-002]
              deletionProtection: false
            """;

    /** Three instances reconciling two volumes, a fleet of 6 targets and 3 clients in 2 racks (seed 5). */
    @RegisterExtension
    static final ClusterExtension cluster = ClusterExtension.of(3).reconciling(Duration.ofMillis(300))
            .desired(repo -> repo.desired().put("desired.yaml", DESIRED).message("test: two volumes").commit())
            .fleet(new SimulatedFleet.Spec(6, 2, 3, 5));

    @Test
    void showsMembersBalanceHealthCapacityAndEachMembersLastPassThenADeadMember() {
        StateStore store = cluster.store();
        SimulatedFleet fleet = cluster.fleet();
        await().atMost(BOUND).untilAsserted(() -> assertThat(StateFiles.decodeStrict(store.read(StateStore.STATE_REF))
                .volumes().values()).hasSize(2).allSatisfy(v -> assertThat(v.status()).isEqualTo(VolumeStatus.ONLINE)));

        String server = cluster.url("r1");
        await().atMost(BOUND).untilAsserted(() -> {
            String out = status(0, server)[0];
            assertThat(out).contains("3/3 members live; r1 answered at " + server)
                    .containsPattern("(?m)^r1 \\*\\s+yes\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+\\S+\\s+0\\s")
                    .containsPattern("(?m)^r2\\s+yes\\s").containsPattern("(?m)^r3\\s+yes\\s")
                    // all 9 nodes connected, to one owner each; both volumes owned by someone
                    .containsPattern("balance   nodes 9, max/avg \\d\\.\\d\\d \\(r1 \\d, r2 \\d, r3 \\d\\); volumes 2,")
                    .contains("drives 12 (ok 12)", "targets   6 (healthy 6)  [recorded state]")
                    .contains("volumes   2 (online 2)  [recorded state, state ")
                    .doesNotContain("problem");
            // every member has reconciled at least once, and says how long ago
            assertThat(out.lines().filter(l -> l.matches("r\\d.*\\s(recorded|unchanged)\\s+\\S+\\s+\\d+ms")))
                    .hasSize(3);
        });
        String json = status(0, server, "-o", "json")[0];
        assertThat(json).contains("\"formatVersion\" : 1", "\"answering\" : \"r1\"", "\"balance\"", "\"capacity\"");

        // A failed drive leaves its target answering (healthy to placement) but degraded to whoever reads status.
        Target first = fleet.inventory().targets().get(0);
        fleet.failDrive(first.drives().get(0).serial());
        await().atMost(BOUND).untilAsserted(() -> assertThat(status(0, server)[0])
                .contains("targets   6 (degraded 1, healthy 5): " + first.id() + " degraded: 1 drive failed  [recorded state]"));

        cluster.kill("r3");
        await().atMost(BOUND).untilAsserted(() -> {
            String out = status(0, server)[0];
            assertThat(out).contains("2/3 members live").containsPattern("(?m)^r3\\s+no \\(silent \\S+\\)")
                    // r3's nodes have moved to the survivors
                    .containsPattern("balance   nodes 9, max/avg \\d\\.\\d\\d \\(r1 \\d, r2 \\d\\)");
        });
    }

    @Test
    void saysClearlyWhenNoInstanceAnswers() {
        String nobody = "http://127.0.0.1:" + TestPorts.next();
        String err = status(1, nobody)[1];
        assertThat(err.strip()).startsWith("error: cannot reach nvmesh at " + nobody).doesNotContain("\n")
                .doesNotContain("Exception");
    }

    private static String[] status(int expectedExit, String server, String... more) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> args = new java.util.ArrayList<>(List.of("status", "--server", server, "--token",
                TestAuth.READ));
        args.addAll(List.of(more));
        int code = Nvmesh.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertThat(code).as("exit code; out: %s; err: %s", out, err).isEqualTo(expectedExit);
        return new String[] {out.toString(), err.toString()};
    }
}
