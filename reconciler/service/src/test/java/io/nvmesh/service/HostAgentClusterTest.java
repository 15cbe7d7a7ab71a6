package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.host.HostAgents;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host agents (the Linux backend, on fixture hosts: sysfs trees, configfs folders, recorded dmsetup/nvme/mdadm) against
 * two real reconcilers on loopback with a Git state store: three targets serve a mirrored volume through nvmet, a
 * client connects and assembles it; every reconciler killed and restarted changes nothing on any host (the whole
 * history of performed ops holds no teardown); a drive whose smart log turns critical is reported failed, and the
 * reconciler rebuilds its segment on another target, which serves it, while the client swaps the mirror's member.
 */
class HostAgentClusterTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final String VOLUME = StateFixtures.DB_01;

    @RegisterExtension
    final ClusterExtension cluster = StateFixtures.mirrorCluster(2, INTERVAL);

    @TempDir
    Path data;

    private StateStore store;
    private final Map<String, HostAgents> hosts = new LinkedHashMap<>();

    @BeforeEach
    void start() {
        store = cluster.store();
        AgentRuntime runtime = cluster.runtime();
        Map<String, String> addresses = new LinkedHashMap<>();
        Map<String, Path> fabric = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            String id = "t-00" + i;
            HostAgents t = HostAgents.target(data.resolve("hosts").resolve(id), id, "10.0.0.1" + i, cluster.urls(),
                    TestCluster.AGENT, runtime);
            hosts.put(id, t);
            addresses.put(id, "10.0.0.1" + i);
            fabric.put("10.0.0.1" + i + ":4420", t.nvmet());
        }
        hosts.put("c-001", HostAgents.client(data.resolve("hosts/c-001"), "c-001", addresses, fabric, cluster.urls(),
                TestCluster.AGENT, runtime));
        await().atMost(BOUND).untilAsserted(() -> {
            RecordedState s = recorded();
            assertThat(s.inventory().targets()).hasSize(3).allSatisfy(t -> {
                assertThat(t.managed()).isTrue();
                assertThat(t.drives()).as("%s: PM9A3, both CM6 namespaces, the dead INTEL", t.id()).hasSize(4);
            });
            assertThat(s.served()).as("every target acked its first layout").hasSize(3);
        });
    }

    @AfterEach
    void stop() {
        TestCluster.closeAll(hosts.values().toArray(AutoCloseable[]::new));
    }

    @Test
    void servesThroughEveryReconcilerOutageAndRebuildsADriveWhoseSmartLogTurnsCritical() throws Exception {
        // ---- served and attached -----------------------------------------------------------------------------------
        StateFixtures.commitDesired(store, Changes.put("volumes/db-01.yaml", VOLUME.getBytes(StandardCharsets.UTF_8)));
        hook();
        await().atMost(BOUND).untilAsserted(() -> assertThat(status()).isEqualTo(VolumeStatus.ONLINE));
        VolumeAllocation placed = recorded().volumes().get("db-01").allocation().orElseThrow();
        Map<String, String> holderOf = holders(recorded(), placed);
        assertThat(holderOf).hasSize(2);
        for (String target : holderOf.values()) {
            assertThat(namespaces(target, "db-01")).as("%s exports its segment", target).hasSize(1);
        }
        HostAgents client = hosts.get("c-001");
        await().atMost(BOUND).untilAsserted(() -> assertThat(client.dev().resolve("nvmesh/db-01")).isSymbolicLink());
        assertThat(client.commandLines()).filteredOn(l -> l.startsWith("nvme connect")).hasSize(2)
                .allSatisfy(l -> assertThat(l).contains("-n nqn.2024-01.io.nvmesh:volume:db-01:t-00"));
        assertThat(client.commandLines()).anySatisfy(l -> assertThat(l).startsWith("mdadm --build ")
                .contains("nvmesh-db-01.c0g0 --level=1 --raid-devices=2"));

        // ---- every reconciler killed: nothing changes on any host ---------------------------------------------------
        Map<String, Integer> before = new LinkedHashMap<>();
        hosts.forEach((id, h) -> before.put(id, h.history().size()));
        Map<String, List<String>> trees = trees();
        cluster.kill("r1");
        cluster.kill("r2");
        await().atMost(BOUND).untilAsserted(() -> hosts.values().forEach(h -> assertThat(h.connected()).isFalse()));
        // Hosts keep polling and redialling meanwhile; for a few seconds of that, nothing is performed.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> hosts.forEach(
                (id, h) -> assertThat(h.history()).as("%s during the outage", id).hasSize(before.get(id))));
        assertThat(trees()).isEqualTo(trees);
        assertThat(client.dev().resolve("nvmesh/db-01")).isSymbolicLink();

        cluster.start("r1");
        cluster.start("r2");
        await().atMost(BOUND).untilAsserted(() -> hosts.values().forEach(h -> assertThat(h.connected()).isTrue()));
        await().atMost(BOUND).untilAsserted(() -> assertThat(status()).isEqualTo(VolumeStatus.ONLINE));
        assertThat(trees()).as("the same orders again change nothing").isEqualTo(trees);
        hosts.forEach((id, h) -> assertThat(h.teardowns()).as("%s: no teardown in its whole history", id)
                .isEmpty());

        // ---- the holder's drives' smart logs turn critical: its segment is rebuilt on another target ----------------
        // Both of its controllers (a bad batch), so that the segment cannot stay on this host on another drive.
        String failing = placed.extents().get(0).serial();
        String oldHolder = holderOf.get(failing);
        HostAgents sick = hosts.get(oldHolder);
        sick.smartLog("nvme0", HostAgents.CRITICAL_SMART);
        sick.smartLog("nvme1", HostAgents.CRITICAL_SMART);
        await().atMost(BOUND).untilAsserted(() -> {
            VolumeRecord r = recorded().volumes().get("db-01");
            assertThat(r.allocation().orElseThrow().extents()).extracting(Extent::serial).doesNotContain(failing);
            assertThat(r.status()).isEqualTo(VolumeStatus.ONLINE);
        });
        Map<String, String> now = holders(recorded(), recorded().volumes().get("db-01").allocation().orElseThrow());
        List<String> newHolders = now.values().stream().filter(t -> !holderOf.containsValue(t)).toList();
        assertThat(newHolders).as("rebuilt on the third target").hasSize(1);
        String newHolder = newHolders.get(0);
        await().atMost(BOUND).untilAsserted(() -> {
            assertThat(namespaces(oldHolder, "db-01")).as("the old holder was ordered to let go").isEmpty();
            assertThat(namespaces(newHolder, "db-01")).as("%s serves the rebuilt segment", newHolder).hasSize(1);
        });
        // Teardown only where ordered: on the old holder, of the moved segment, never elsewhere.
        hosts.forEach((id, h) -> {
            if (!id.equals(oldHolder) && !id.equals("c-001")) {
                assertThat(h.teardowns()).as("%s was never ordered to drop anything", id).isEmpty();
            }
        });
        assertThat(sick.teardowns()).isNotEmpty().allSatisfy(op -> assertThat(op).contains("db-01"));
        await().atMost(BOUND).untilAsserted(() -> assertThat(client.commandLines()).anySatisfy(l ->
                assertThat(l).startsWith("mdadm ").contains(" --add ")));
        assertThat(client.teardowns()).as("the client only let go of the moved member and its old connection")
                .allSatisfy(op -> assertThat(op).matches("mdadm .* --fail .* --remove .*|nvme disconnect -d .*"));
    }

    private Map<String, List<String>> trees() throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (var e : hosts.entrySet()) {
            Path root = e.getValue().dev().getParent();
            try (Stream<Path> s = Files.walk(root)) {
                out.put(e.getKey(), s.filter(p -> p.startsWith(e.getValue().nvmet()) || p.startsWith(e.getValue()
                        .dev())).map(p -> root.relativize(p).toString()).sorted().toList());
            }
        }
        return out;
    }

    private List<String> namespaces(String target, String volume) throws Exception {
        Path ns = hosts.get(target).nvmet().resolve("subsystems/nqn.2024-01.io.nvmesh:volume:" + volume + ":"
                + target + "/namespaces");
        if (!Files.isDirectory(ns)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(ns)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** Serial → the target holding it, for the allocation's extents. */
    private static Map<String, String> holders(RecordedState s, VolumeAllocation a) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Extent e : a.extents()) {
            for (Target t : s.inventory().targets()) {
                if (t.drives().stream().anyMatch(d -> d.serial().equals(e.serial()))) {
                    out.put(e.serial(), t.id());
                }
            }
        }
        return out;
    }

    private RecordedState recorded() {
        return StateFixtures.recorded(store);
    }

    private VolumeStatus status() {
        VolumeRecord r = recorded().volumes().get("db-01");
        return r == null ? null : r.status();
    }

    private void hook() throws Exception {
        for (String id : List.of("r1", "r2")) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.uri(id) + "/v1/hooks/git"))
                    .header("Authorization", "Bearer " + TestCluster.ADMIN)
                    .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(202);
        }
    }
}
