package io.nvmesh.cli.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.cli.Nvmesh;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.sim.SimulatedFleet;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nvmesh status} in-process against three real instances on loopback (ports picked free, Jetty on them), each
 * reconciling one bare repository, with a small simulated fleet: what it shows, after an instance dies, and when no
 * instance answers.
 */
class StatusCommandTest {

    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final String DESIRED = """
            apiVersion: nvmesh.io/v1
            kind: VolumePolicy
            metadata:
              name: mirror
            spec:
              layout: raid1
              mirrors: 1
              protection: full
              domainScope: rack
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

    @TempDir
    Path dir;

    private StateStore store;
    private LiveCluster cluster;
    private AgentRuntime runtime;
    private SimulatedFleet fleet;

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
        if (runtime != null) {
            runtime.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void showsMembersBalanceHealthCapacityAndEachMembersLastPassThenADeadMember() {
        Path repo = dir.resolve("state.git");
        store = StateStore.openOrCreate(repo);
        DesiredBranch b = new DesiredBranch(store, "main");
        b.apply(b.read().commitId(), Changes.put("desired.yaml", DESIRED.getBytes(StandardCharsets.UTF_8)),
                "test: two volumes", new Author("test", "test@example.com"));
        cluster = new LiveCluster(3, dir, repo.toString(), Duration.ofMillis(300));
        runtime = AgentRuntime.start("test");
        fleet = SimulatedFleet.create(new SimulatedFleet.Spec(6, 2, 3, 5));
        fleet.connect(runtime, cluster.urls(), LiveCluster.AGENT);
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
        String nobody = "http://127.0.0.1:" + LiveCluster.freePort();
        String err = status(1, nobody)[1];
        assertThat(err.strip()).startsWith("error: cannot reach nvmesh at " + nobody).doesNotContain("\n")
                .doesNotContain("Exception");
    }

    private static String[] status(int expectedExit, String server, String... more) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> args = new java.util.ArrayList<>(List.of("status", "--server", server, "--token",
                LiveCluster.READ));
        args.addAll(List.of(more));
        int code = Nvmesh.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertThat(code).as("exit code; out: %s; err: %s", out, err).isEqualTo(expectedExit);
        return new String[] {out.toString(), err.toString()};
    }
}
