package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.agent.AgentSettings;
import io.nvmesh.service.agent.AgentStatus;
import io.nvmesh.service.agent.NodeAgent;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.OneDriveNode;
import io.nvmesh.service.agent.SegmentLayout;
import io.nvmesh.service.cluster.Ownership;
import io.nvmesh.service.cluster.Successors;
import io.nvmesh.service.nodes.InventoryChange;
import io.nvmesh.service.nodes.InventoryChanges;
import io.nvmesh.service.sim.SimulatedFleet;


import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real instances on loopback, real agents over WebSocket, a simulated fleet behind them. Heartbeats every 200 ms
 * (dead after 600 ms): fast enough for quick tests, slow enough that a busy shared machine does not declare a live
 * instance dead and move nodes the tests expect to stay.
 */
class NodeAgentsTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration BOUND = Duration.ofSeconds(15);

    @RegisterExtension
    final ClusterExtension cluster = ClusterExtension.of(3).heartbeat(INTERVAL, 3);

    private AgentRuntime runtime;
    private SimulatedFleet fleet;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startThree() {
        runtime = cluster.runtime();
        awaitLive(List.of("r1", "r2", "r3"));
    }

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private void awaitLive(List<String> live) {
        await().atMost(BOUND).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> cluster.nodes()
                .forEach(n -> assertThat(n.view().live()).as("live seen by %s", n.id()).isEqualTo(live)));
    }

    private SimulatedFleet fleet(int targets, int drives, int clients) {
        fleet = SimulatedFleet.create(new SimulatedFleet.Spec(targets, drives, clients, 7));
        fleet.connect(runtime, cluster.urls(), TestCluster.AGENT);
        return fleet;
    }

    private String ownerOf(String key) {
        return cluster.nodes().get(0).ownership().current().ownerOrPreferred(key);
    }

    private static String key(String nodeId) {
        return (nodeId.startsWith("t-") ? NodeKind.TARGET : NodeKind.CLIENT).key(nodeId);
    }

    /** Every agent is welcomed by the owner of its node, and every instance holds exactly the nodes it owns. */
    private void awaitEveryNodeAtItsOwner() {
        await().atMost(BOUND).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            Map<String, AgentStatus> statuses = fleet.statuses();
            Map<String, List<String>> expected = new HashMap<>();
            statuses.forEach((id, s) -> {
                if (s.state() != AgentStatus.State.STOPPED) {
                    assertThat(s.connected()).as("%s connected", id).isTrue();
                    assertThat(s.owner()).as("owner of %s", id).isEqualTo(ownerOf(key(id)));
                    expected.computeIfAbsent(s.owner(), o -> new java.util.ArrayList<>()).add(id);
                }
            });
            for (ReconcilerNode n : cluster.nodes()) {
                assertThat(n.agents().connectedNodes()).as("nodes connected to %s", n.id())
                        .containsExactlyInAnyOrderElementsOf(expected.getOrDefault(n.id(), List.of()));
            }
        });
    }

    @Test
    void everyNodeConnectsToExactlyItsOwner() {
        fleet(60, 2, 30);

        awaitEveryNodeAtItsOwner();

        for (ReconcilerNode n : cluster.nodes()) {
            Map<String, Integer> counts = n.agents().connectionCounts();
            assertThat(counts.get("targets")).as("targets on %s", n.id()).isBetween(10, 30);
            assertThat(counts.get("clients")).as("clients on %s", n.id()).isBetween(4, 18);
        }
    }

    @Test
    void whenAnInstanceDiesOnlyItsNodesMoveAndTheyReachTheirNewOwners() {
        fleet(60, 2, 30);
        awaitEveryNodeAtItsOwner();
        Map<String, AgentStatus> before = fleet.statuses();

        cluster.kill("r2");
        awaitLive(List.of("r1", "r3"));
        awaitEveryNodeAtItsOwner();

        Map<String, AgentStatus> after = fleet.statuses();
        long moved = before.keySet().stream().filter(id -> !before.get(id).owner().equals(after.get(id).owner()))
                .count();
        assertThat(moved).isPositive();
        before.forEach((id, was) -> {
            AgentStatus now = after.get(id);
            if (was.owner().equals("r2")) {
                assertThat(now.owner()).as("new owner of %s", id).isIn("r1", "r3");
            } else {
                assertThat(now.owner()).as("owner of %s, which did not live on r2", id).isEqualTo(was.owner());
                assertThat(now.welcomes()).as("connections of %s", id).isEqualTo(was.welcomes());
            }
        });
    }

    @Test
    void aStoppingInstanceHandsItsNodesOverOnceEachToTheSuccessorTheirWelcomeNamed() {
        fleet(60, 2, 30);
        awaitEveryNodeAtItsOwner();
        Map<String, AgentStatus> before = fleet.statuses();
        Ownership own = cluster.nodes().get(0).ownership().current();
        Successors ofR2 = new Successors("r2");

        cluster.kill("r2"); // ReconcilerNode.close: a graceful stop, as on SIGTERM
        awaitLive(List.of("r1", "r3"));
        awaitEveryNodeAtItsOwner();

        Map<String, AgentStatus> after = fleet.statuses();
        List<String> orphans = before.keySet().stream().filter(id -> before.get(id).owner().equals("r2")).toList();
        assertThat(orphans).hasSizeGreaterThan(10);
        for (String id : orphans) {
            assertThat(after.get(id).owner()).as("new owner of %s", id).isEqualTo(ofR2.of(own, key(id)).orElseThrow());
            // Before the goodbye, peers declared r2 dead, heard its last answers, declared it alive and dead again,
            // and each node moved twice.
            assertThat(after.get(id).welcomes()).as("welcomes of %s", id).isEqualTo(before.get(id).welcomes() + 1);
        }
        // The peers count r2 out before it drops its agents, which dial their successor: about half were
        // redirected when they dialled any instance, or reached a peer that did not know r2 was going. The
        // allowance is for a starved peer that answers the goodbye late.
        long redirected = orphans.stream().filter(id -> after.get(id).redirects() > before.get(id).redirects())
                .count();
        assertThat(redirected).as("orphans redirected of %d", orphans.size()).isLessThanOrEqualTo(orphans.size() / 4);
    }

    @Test
    void anAgentDiallingANonOwnerIsRedirectedToTheOwner() {
        String owner = ownerOf(NodeKind.TARGET.key("t-solo"));
        String other = cluster.ids().stream().filter(id -> !id.equals(owner)).findFirst().orElseThrow();
        NodeAgent agent = NodeAgent.create(runtime, AgentSettings.of("t-solo", NodeKind.TARGET,
                List.of(cluster.uri(other)), TestCluster.AGENT, 1), new OneDriveNode());

        agent.start();

        await().atMost(BOUND).untilAsserted(() -> assertThat(agent.status().connected()).isTrue());
        assertThat(agent.status().owner()).isEqualTo(owner);
        assertThat(agent.status().ownerUrl()).isEqualTo(cluster.uri(owner).toString());
        assertThat(agent.status().redirects()).isGreaterThanOrEqualTo(1);
        agent.stop();
    }

    @Test
    void aBadAgentSecretIsRefusedWith401() throws Exception {
        NodeAgent agent = NodeAgent.create(runtime, AgentSettings.of("t-bad", NodeKind.TARGET, cluster.urls(),
                "not-the-agent-secret-0001", 1), new OneDriveNode());

        agent.start();

        await().atMost(BOUND).untilAsserted(() -> assertThat(agent.status().lastClose()).isEqualTo("HTTP 401"));
        assertThat(agent.status().connected()).isFalse();
        agent.stop();
        HttpResponse<String> plain = http.send(HttpRequest.newBuilder(URI.create(cluster.uri("r1") + "/v1/agent"))
                .header("Authorization", "Bearer " + TestCluster.READ).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).as("a read token is not an agent secret").isEqualTo(403);
    }

    @Test
    void anAgentWithoutACommonProtocolVersionIsToldWhyAndGivesUp() {
        NodeAgent agent = NodeAgent.create(runtime, AgentSettings.of("t-future", NodeKind.TARGET, cluster.urls(),
                TestCluster.AGENT, 1).withProtocols(List.of(7, 8)), new OneDriveNode());

        agent.start();

        await().atMost(BOUND).untilAsserted(() -> assertThat(agent.status().state())
                .isEqualTo(AgentStatus.State.FAILED));
        assertThat(agent.status().lastClose()).startsWith("4426 ");
        assertThat(agent.status().failure())
                .isEqualTo("unsupported protocol: agent offers [7, 8], instance speaks [1]");
    }

    @Test
    void aFailedDriveAppearsInItsOwnersDrivesAndInTheInventoryChanges() throws Exception {
        fleet(6, 4, 0);
        awaitEveryNodeAtItsOwner();
        String target = "t-002";
        ReconcilerNode owner = cluster.node(ownerOf(key(target)));
        List<InventoryChanges> batches = new CopyOnWriteArrayList<>();
        owner.agents().addInventoryListener(batches::add);
        Drive victim = fleet.inventory().targets().get(1).drives().get(2);

        fleet.failDrive(victim.serial());

        await().atMost(BOUND).untilAsserted(() -> assertThat(batches).flatMap(InventoryChanges::changes)
                .contains(new InventoryChange.DriveHealthChanged(target, victim.serial(), DriveHealth.OK,
                        DriveHealth.FAILED)));
        String body = get(owner, "/v1/drives?health=failed");
        assertThat(body).contains("\"serial\":\"" + victim.serial() + "\"", "\"target\":\"" + target + "\"",
                "\"owner\":\"" + owner.id() + "\"", "\"health\":\"failed\"");
        assertThat(get(owner, "/v1/targets/" + target)).contains("\"health\":\"failed\"");
    }

    @Test
    void aDriveMovedBetweenTwoTargetsOfOneOwnerIsReportedAsAMove() {
        fleet(12, 2, 0);
        awaitEveryNodeAtItsOwner();
        Map<String, List<String>> byOwner = new HashMap<>();
        fleet.targetIds().forEach(t -> byOwner.computeIfAbsent(ownerOf(key(t)), o -> new java.util.ArrayList<>())
                .add(t));
        Map.Entry<String, List<String>> pair = byOwner.entrySet().stream().filter(e -> e.getValue().size() >= 2)
                .findFirst().orElseThrow();
        String from = pair.getValue().get(0);
        String to = pair.getValue().get(1);
        List<InventoryChanges> batches = new CopyOnWriteArrayList<>();
        cluster.node(pair.getKey()).agents().addInventoryListener(batches::add);
        Drive drive = fleet.inventory().targets().stream().filter(t -> t.id().equals(from)).findFirst().orElseThrow()
                .drives().get(0);

        fleet.moveDrive(drive.serial(), to);

        await().atMost(BOUND).untilAsserted(() -> assertThat(batches).flatMap(InventoryChanges::changes)
                .contains(new InventoryChange.DriveMoved(to, drive.serial(), from, drive)));
        assertThat(batches).flatMap(InventoryChanges::changes).noneMatch(c ->
                c instanceof InventoryChange.DriveMissing || c instanceof InventoryChange.DriveAdded);
    }

    @Test
    void aCommandSentByTheOwnerReachesThatAgentOnly() {
        fleet(6, 2, 3);
        awaitEveryNodeAtItsOwner();
        String target = "t-003";
        ReconcilerNode owner = cluster.node(ownerOf(key(target)));
        ReconcilerNode notOwner = cluster.nodes().stream().filter(n -> n != owner).findFirst().orElseThrow();
        String serial = fleet.inventory().targets().get(2).drives().get(0).serial();
        AgentMessage.Command layout = new AgentMessage.Command(owner.agents().nextCommandSeq(),
                List.of(new SegmentLayout("db-01", 0, serial, 0, 1L << 30)), List.of());

        assertThat(notOwner.agents().send(target, layout)).as("sent by a non-owner").isFalse();
        assertThat(owner.agents().send(target, layout)).isTrue();

        await().atMost(BOUND).untilAsserted(() -> assertThat(fleet.lastCommand(target)).contains(layout));
        fleet.targetIds().stream().filter(t -> !t.equals(target))
                .forEach(t -> assertThat(fleet.lastCommand(t)).as("command at %s", t).isEmpty());
    }

    @Test
    void theOwnerShowsTheLastCommandAndItsAckOnTheTargetsEndpoint() throws Exception {
        fleet(6, 2, 3);
        awaitEveryNodeAtItsOwner();
        String target = "t-002";
        ReconcilerNode owner = cluster.node(ownerOf(key(target)));
        String serial = fleet.inventory().targets().get(1).drives().get(0).serial();
        assertThat(get(owner, "/v1/targets/" + target)).contains("\"command\":null");

        long applied = owner.agents().nextCommandSeq();
        owner.agents().send(target, new AgentMessage.Command(applied,
                List.of(new SegmentLayout("db-01", 0, serial, 0, 1L << 30)), List.of()));
        await().atMost(BOUND).untilAsserted(() -> assertThat(get(owner, "/v1/targets/" + target))
                .contains("\"command\":{\"seq\":" + applied + ",").contains("\"acked\":true,\"ok\":true,\"message\":\"\""));

        long refused = owner.agents().nextCommandSeq();
        owner.agents().send(target, new AgentMessage.Command(refused,
                List.of(new SegmentLayout("db-01", 0, "NOT-HERE-01", 0, 1L << 30)), List.of()));
        await().atMost(BOUND).untilAsserted(() -> assertThat(get(owner, "/v1/targets"))
                .contains("\"seq\":" + refused + ",").contains("\"acked\":true,\"ok\":false,"
                        + "\"message\":\"drive NOT-HERE-01 is not on " + target + "\""));
        assertThat(owner.agents().command(NodeKind.TARGET, target)).hasValueSatisfying(c ->
                assertThat(c.ackedAtMillis()).isGreaterThanOrEqualTo(c.sentAtMillis()));
        // The refused layout was not applied: the agent keeps serving the previous one.
        assertThat(fleet.lastCommand(target)).hasValueSatisfying(c -> assertThat(c.seq()).isEqualTo(applied));
    }

    @Test
    void theClusterEndpointCountsEachInstancesAgents() throws Exception {
        fleet(9, 1, 6);
        awaitEveryNodeAtItsOwner();
        ReconcilerNode r1 = cluster.node("r1");
        Map<String, Integer> r2 = cluster.node("r2").agents().connectionCounts();

        await().atMost(BOUND).untilAsserted(() -> assertThat(get(r1, "/v1/cluster"))
                .contains("\"id\":\"r2\"", "\"agents\":{\"clients\":" + r2.get("clients") + ",\"targets\":"
                        + r2.get("targets") + "}"));
    }

    private String get(ReconcilerNode node, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node.url() + path))
                .header("Authorization", "Bearer " + TestCluster.READ).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }
}
