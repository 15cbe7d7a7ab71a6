package io.nvmesh.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.api.ClusterJson;
import io.nvmesh.cli.remote.ServerAddress;
import io.nvmesh.cli.remote.ServerClient;
import io.nvmesh.cli.remote.ServerException;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.agent.AgentTls;
import io.nvmesh.service.config.ConfigLoader;
import io.nvmesh.service.sim.SimulatedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The take-over judged from real answers: the demo's own three configurations run in this JVM (the command line still
 * reads them over HTTP), with a small simulated fleet; one instance is stopped without a word to its peers.
 */
class TakeOverTest {

    private static final Path SAMPLES = Path.of("../samples").toAbsolutePath().normalize();
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final Pattern SERVES = Pattern.compile("serves (\\d+) targets and (\\d+) clients");

    @TempDir
    Path tmp;

    private final Map<String, ReconcilerNode> nodes = new LinkedHashMap<>();
    private SimulatedFleet fleet;

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
        nodes.values().forEach(ReconcilerNode::close);
    }

    @Test
    void isOverOnceTheSurvivorsServeEveryNodeTheyOwn() throws Exception {
        DemoSetup.Prepared demo = DemoSetup.prepare(tmp.resolve("demo"), SAMPLES, 3, DemoSetup.generatedNodeIds(6, 3));
        demo.configs().forEach((id, file) -> nodes.put(id, ReconcilerNode.start(ConfigLoader.load(file))));
        fleet = SimulatedFleet.create(new SimulatedFleet.Spec(6, 2, 3, 5));
        // As the demo's runner connects it: each node with its own certificate, over TLS (the demo's default).
        fleet.connect(List.copyOf(demo.urls().values()), AgentTls.perNode(demo.pki().resolve("ca.pem"),
                demo.agentCertificates()), node -> "");
        // Every node recorded (so owned by someone) and connected to its owner.
        await().atMost(BOUND).until(() -> owned(nodes.get("r1"), "target") == 6 && owned(nodes.get("r1"), "client")
                == 3 && TakeOver.judge(answers(demo, List.of("r1", "r2", "r3"))).finished());

        TakeOver whileR2Runs = TakeOver.judge(answers(demo, List.of("r1", "r3")));
        nodes.remove("r2").close();

        assertThat(whileR2Runs.finished()).isFalse();
        assertThat(whileR2Runs.summary()).isEqualTo("r1 still counts r2 live; r3 still counts r2 live");
        await().atMost(BOUND).until(() -> TakeOver.judge(answers(demo, List.of("r1", "r3"))).finished());
        String summary = TakeOver.judge(answers(demo, List.of("r1", "r3"))).summary();
        assertThat(summary).matches("r1 serves \\d targets and \\d clients, r3 serves \\d targets and \\d clients");
        int[] served = new int[2];
        Matcher m = SERVES.matcher(summary);
        while (m.find()) {
            served[0] += Integer.parseInt(m.group(1));
            served[1] += Integer.parseInt(m.group(2));
        }
        assertThat(served).as("targets and clients at r1 and r3").containsExactly(6, 3);
    }

    @Test
    void anInstanceThatDoesNotAnswerIsNotOverYet() {
        TakeOver t = TakeOver.judge(new LinkedHashMap<>(Map.of("r1", Optional.empty())));

        assertThat(t.finished()).isFalse();
        assertThat(t.summary()).isEqualTo("r1 did not answer");
    }

    private static int owned(ReconcilerNode node, String space) {
        return node.ownership().current().countsBySpace().getOrDefault(space, Map.of()).values().stream()
                .mapToInt(Integer::intValue).sum();
    }

    private static Map<String, Optional<ClusterJson>> answers(DemoSetup.Prepared demo, List<String> ids) {
        Map<String, Optional<ClusterJson>> answers = new LinkedHashMap<>();
        for (String id : ids) {
            ServerClient c = new ServerClient(new ServerAddress(demo.urls().get(id), demo.readToken(), "test",
                    demo.readerTls()));
            try {
                answers.put(id, Optional.of(c.get("/v1/cluster", ClusterJson.class)));
            } catch (ServerException e) {
                answers.put(id, Optional.empty());
            }
        }
        return answers;
    }
}
