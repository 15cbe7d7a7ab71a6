package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.Attachment;
import io.nvmesh.service.reconcile.ReconcileLoop;
import io.nvmesh.service.sim.SimulatedFleet;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Node agents learn their commands through events: three instances with reconcile loops on one bare repository, a
 * simulated fleet, and a state-ref poll of ten minutes, so that an agent owned by an instance that did not commit can
 * only get its command in time through events: the {@code command} event its owner subscribed to, the {@code state}
 * event every instance hears, or the round trip of its targets' acks.
 */
class CommandEventsTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    /** Far longer than the test: no poll of the state ref happens after the first pass. */
    private static final Duration POLL = Duration.ofMinutes(10);
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final String CLIENT = "c-001";

    @RegisterExtension
    final ClusterExtension cluster = ClusterExtension.of(3).heartbeat(INTERVAL, 3).reconciling(POLL)
            .desired(repo -> repo.desired().put("policies.yaml", StateFixtures.MIRROR_POLICY).commit())
            .fleet(new SimulatedFleet.Spec(6, 3, 2, 5));

    private StateStore store;
    private SimulatedFleet fleet;

    @BeforeEach
    void start() {
        store = cluster.store();
        fleet = cluster.fleet();
        await().atMost(BOUND).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(StateFixtures.recorded(store).inventory().targets()).hasSize(6));
        await().atMost(BOUND).pollInterval(Duration.ofMillis(100)).until(() -> cluster.nodesHeldByTheirOwners());
    }

    @Test
    void anAgentOwnedByAnotherInstanceGetsItsAttachmentFromTheCommandEventNotFromAPoll() {
        String holder = fleet.statuses().get(CLIENT).owner();
        String name = volumePlacedElsewhere(holder);
        String placer = placerOf(name);
        String bystander = cluster.ids().stream().filter(id -> !id.equals(holder) && !id.equals(placer))
                .findFirst().orElseThrow();
        // The holder's internal subscription is known to the placer, and to nobody as a reason to send elsewhere.
        await().atMost(BOUND).until(() -> cluster.node(placer).events().peerWants(holder, "client/" + CLIENT));
        assertThat(cluster.node(placer).events().peerWants(bystander, "client/" + CLIENT)).isFalse();
        ReconcileLoop holderLoop = cluster.node(holder).reconcile().orElseThrow();
        long refreshes = holderLoop.commandRefreshes();
        String otherClient = fleet.clientIds().stream().filter(c -> !c.equals(CLIENT)).findFirst().orElseThrow();
        long otherBefore = fleet.lastCommand(otherClient).map(AgentMessage.Command::seq).orElse(0L);

        cluster.repo().desired().put("volumes/" + name + ".yaml", volume(name)).commit();
        long start = System.nanoTime();
        cluster.node(placer).reconcile().orElseThrow().trigger(); // what the Git hook does on the placer

        await().atMost(BOUND).pollInterval(Duration.ofMillis(5)).untilAsserted(() ->
                assertThat(attachments(CLIENT)).extracting(Attachment::volume).contains(name));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("volume %s placed by %s, attachment at %s's agent %s after %d ms%n", name, placer,
                holder, CLIENT, millis);

        // The holder refreshed on an event. (A pass of its own may have sent the command first: since volumes are
        // online only once their targets acked, the holder often records served layouts for a target of this volume
        // and runs a pass for that commit. Neither is its poll, which is ten minutes away.)
        await().atMost(BOUND).until(() -> holderLoop.commandRefreshes() > refreshes); // counted after its push
        // The other client hears nothing of a volume not attached to it.
        assertThat(fleet.lastCommand(otherClient).map(AgentMessage.Command::seq).orElse(0L)).isEqualTo(otherBefore);
        // Every event that crossed went to an instance that wanted it.
        cluster.nodes().forEach(n -> assertThat(n.events().stats().unwanted()).as(n.id()).isZero());
        // The targets that serve it got their segments the same way, whoever holds them.
        RecordedState state = StateFixtures.recorded(store);
        state.volumes().get(name).allocation().orElseThrow().extents().forEach(e -> {
            String target = state.inventory().targetOf(e.serial()).orElseThrow().id();
            await().atMost(BOUND).untilAsserted(() -> assertThat(fleet.lastCommand(target)).hasValueSatisfying(c ->
                    assertThat(c.segments()).anySatisfy(s -> assertThat(s.volume()).isEqualTo(name))));
        });
    }

    @Test
    void aStaleCommandEventNeverTakesAnAgentBack() {
        String holder = fleet.statuses().get(CLIENT).owner();
        String name = volumePlacedElsewhere(holder);
        String placer = placerOf(name);
        await().atMost(BOUND).until(() -> cluster.node(placer).events().peerWants(holder, "client/" + CLIENT));
        String before = StateFixtures.recorded(store).commitId();
        cluster.repo().desired().put("volumes/" + name + ".yaml", volume(name)).commit();
        cluster.node(placer).reconcile().orElseThrow().trigger();
        await().atMost(BOUND).pollInterval(Duration.ofMillis(5)).untilAsserted(() ->
                assertThat(attachments(CLIENT)).extracting(Attachment::volume).contains(name));
        long seq = fleet.lastCommand(CLIENT).orElseThrow().seq();
        ReconcileLoop loop = cluster.node(holder).reconcile().orElseThrow();
        long refreshes = loop.commandRefreshes();

        // An event naming the state before the volume, with the command of then, arriving late at the holder.
        cluster.node(placer).events().publish("client/" + CLIENT, "command", Map.of("node", CLIENT,
                "kind", "client", "stateCommit", before, "count", 0, "complete", true, "attachments", List.of()));
        // The holder refreshed from the tip: the same command, so nothing was sent (and nothing older, ever).
        await().atMost(BOUND).until(() -> loop.commandRefreshes() > refreshes);
        assertThat(attachments(CLIENT)).extracting(Attachment::volume).contains(name);
        assertThat(fleet.lastCommand(CLIENT).orElseThrow().seq()).isEqualTo(seq);
    }

    /** A volume name whose placer (by the ownership every instance computes) is not {@code holder}. */
    private String volumePlacedElsewhere(String holder) {
        for (int i = 1; ; i++) {
            String name = "v-" + i;
            if (!placerOf(name).equals(holder)) {
                return name;
            }
        }
    }

    private String placerOf(String volume) {
        return cluster.node("r1").reconcile().orElseThrow().ownerOf(volume);
    }

    private List<Attachment> attachments(String client) {
        return fleet.lastCommand(client).map(AgentMessage.Command::attachments).orElse(List.of());
    }

    private static String volume(String name) {
        return "apiVersion: nvmesh.io/v1\nkind: Volume\nmetadata:\n  name: " + name
                + "\nspec:\n  policy: mirror\n  capacity: 100GiB\n  clients: [" + CLIENT + "]\n"
                + "  deletionProtection: false\n";
    }
}
