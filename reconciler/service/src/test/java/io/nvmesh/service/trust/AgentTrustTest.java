package io.nvmesh.service.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.Policies;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.agent.AgentProtocol;
import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.agent.AgentSettings;
import io.nvmesh.service.agent.ManagedNode;
import io.nvmesh.service.agent.NodeAgent;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.Performance;
import io.nvmesh.service.config.AuthConfig;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.nodes.CommandState;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Someone holding one agent credential, against one instance with a reconcile loop on a real repository and two real
 * targets, {@code t-001} and {@code t-002}, that serve a mirrored volume. Each attack is replayed over a real WebSocket
 * and its refusal asserted; every payload of a refused message carries the marker {@code rogue}, and no commit of the
 * state ref, from the first to the last, may hold it anywhere, in a path or in a file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentTrustTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final String MARKER = "rogue";
    private static final String T001 = "agent-token-t001-0000000";
    private static final String T002 = "agent-token-t002-0000000";
    /** Speaks for t-666, t-777 and t-888: nodes of its own, and no other. */
    private static final String ROGUE = "agent-token-rogue-000000";
    /** A simulator's credential: any node whose id starts with {@code sim-a-}. */
    private static final String SIM_A = "agent-token-sim-a-000000";
    private static final String T009 = "agent-token-t009-0000000";
    private static final String REAL_SERIAL = "S001REAL000001";

    private final Author author = new Author("test", "test@example.com");
    private final AtomicInteger barriers = new AtomicInteger();
    private Path credentialsFile;
    private StateStore store;
    private ReconcilerNode node;
    private AgentRuntime runtime;
    private NodeAgent t001;
    private NodeAgent t002;
    private WebSocketClient client;
    private final List<Session> sessions = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path repo = dir.resolve("state.git");
        store = StateStore.openOrCreate(repo);
        new DesiredBranch(store, "main").apply("", Changes.put("volumes.yaml", (Policies.MIRROR + """
                ---
                apiVersion: nvmesh.io/v1
                kind: Volume
                metadata:
                  name: db
                spec:
                  policy: mirror
                  capacity: 10GiB
                  deletionProtection: false
                """).getBytes(StandardCharsets.UTF_8)), "desired", author);
        credentialsFile = dir.resolve("credentials.yaml");
        CredentialsFile.write(credentialsFile, Credentials.of(agents(true)));
        InstanceConfig config = InstanceConfig.defaults("r1", dir.resolve("r1")).withListen("127.0.0.1", 0)
                .withAuth(AuthConfig.tokens(List.of("admin-token-000000000001"), List.of())
                        .withCredentialsFile(credentialsFile))
                .withGit(repo.toString(), "main", Duration.ofMillis(500));
        node = ReconcilerNode.start(config);
        runtime = AgentRuntime.start("trust");
        t001 = NodeAgent.create(runtime, AgentSettings.of("t-001", NodeKind.TARGET, List.of(node.url()), T001, 1),
                new Machine("rack-a", REAL_SERIAL));
        t002 = NodeAgent.create(runtime, AgentSettings.of("t-002", NodeKind.TARGET, List.of(node.url()), T002, 2),
                new Machine("rack-b", "S002REAL000001"));
        t001.start();
        t002.start();
        client = new WebSocketClient();
        client.start();
        // Both targets recorded, the volume placed on both, and each target acked its layout.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(recorded().volumes()).containsKey("db");
            assertThat(command("t-001")).hasValueSatisfying(c -> assertThat(c.ok()).isTrue());
            assertThat(command("t-002")).hasValueSatisfying(c -> assertThat(c.ok()).isTrue());
        });
    }

    /** Per-node credentials; {@code withT009}: whether the one the revocation test revokes is still there. */
    private static List<Credential> agents(boolean withT009) {
        List<Credential> all = new ArrayList<>(List.of(
                Credential.ofToken("t-001", Role.AGENT, List.of("t-001"), T001),
                Credential.ofToken("t-002", Role.AGENT, List.of("t-002"), T002),
                Credential.ofToken("rogue", Role.AGENT, List.of("t-666", "t-777", "t-888"), ROGUE),
                Credential.ofToken("sim-a", Role.AGENT, List.of("sim-a-*"), SIM_A)));
        if (withT009) {
            all.add(Credential.ofToken("t-009", Role.AGENT, List.of("t-009"), T009));
        }
        return all;
    }

    @AfterAll
    void stop() throws Exception {
        sessions.forEach(Session::close);
        if (client != null) {
            client.stop();
        }
        for (AutoCloseable c : new AutoCloseable[] {t001 == null ? null : t001::stop, t002 == null ? null : t002::stop,
                runtime, node, store}) {
            if (c != null) {
                c.close();
            }
        }
    }

    // ---- the attacks ----

    @Test
    void aHelloAsAnotherNodeIsForbiddenAndTheRealNodeKeepsItsConnectionAndCommands() throws Exception {
        CommandState before = command("t-001").orElseThrow();
        int welcomes = t001.status().welcomes();

        RawAgent rogue = dial(ROGUE);
        rogue.send(hello("t-001", "[" + drive("ROGUE0000000001", "") + "]", "{\"rack\":\"rogue-rack\"}"));

        assertThat(rogue.closed()).isEqualTo("4403 credential rogue may not speak for node t-001");
        barrier();
        assertThat(rogue.texts).as("nothing was said to the rogue: no welcome, no command").isEmpty();
        assertThat(t001.status().connected()).isTrue();
        assertThat(t001.status().welcomes()).as("the real t-001 was never replaced").isEqualTo(welcomes);
        assertThat(t001.status().lastClose()).isEmpty();
        assertThat(node.agents().connectedNodes()).contains("t-001");
        assertThat(command("t-001")).hasValueSatisfying(c -> {
            assertThat(c.seq()).isEqualTo(before.seq());
            assertThat(c.ok()).isTrue();
        });
        assertHistoryClean();
        assertThat(recorded().inventory().targets()).filteredOn(t -> t.id().equals("t-001"))
                .singleElement().satisfies(t -> assertThat(t.drives()).extracting(Drive::serial)
                        .containsExactly(REAL_SERIAL));
    }

    @Test
    void aPrefixCredentialSpeaksOnlyForIdsWithItsPrefix() throws Exception {
        RawAgent inside = dial(SIM_A);
        inside.send(hello("sim-a-17", "[]", "{}"));
        await().atMost(BOUND).until(() -> inside.texts.stream().anyMatch(t -> t.contains("\"type\":\"welcome\"")));
        inside.session.close(AgentProtocol.CLOSE_NORMAL, "done", Callback.NOOP);

        for (String outside : List.of("sim-b-1", "sim-a", "t-001", "xsim-a-1")) {
            RawAgent a = dial(SIM_A);
            a.send(hello(outside, "[" + drive("ROGUE000000000" + outside.length(), "") + "]", "{}"));
            assertThat(a.closed()).as(outside).isEqualTo("4403 credential sim-a may not speak for node " + outside);
        }
        barrier();
        assertThat(recorded().inventory().targets()).extracting(Target::id).contains("sim-a-17")
                .doesNotContain("sim-b-1", "sim-a", "xsim-a-1");
        assertHistoryClean();
    }

    /**
     * Reports and acks carry no node id: they are the hello's node's by construction. A second hello on a welcomed
     * connection, for another node or the same, is a protocol error.
     */
    @Test
    void aSecondHelloOnAWelcomedConnectionClosesItAndChangesNothing() throws Exception {
        RawAgent rogue = dial(ROGUE);
        rogue.send(hello("t-888", "[]", "{}"));
        await().atMost(BOUND).until(() -> rogue.texts.stream().anyMatch(t -> t.contains("\"type\":\"welcome\"")));

        rogue.send(hello("t-001", "[" + drive("ROGUE0000000002", "") + "]", "{\"rack\":\"rogue-rack\"}"));

        assertThat(rogue.closed()).isEqualTo("4400 unexpected hello from an agent");
        barrier();
        assertThat(t001.status().connected()).isTrue();
        assertThat(t001.status().lastClose()).isEmpty();
        assertHistoryClean();
    }

    @Test
    void aMessageBreakingTheManifestRulesClosesTheConnectionNamingTheFieldAndRecordsNothing() throws Exception {
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put(hello("t-777", "[" + drive("ROGUE<b>1</b>", "") + "]", "{}"),
                "4400 invalid hello: drives[0].serial: not a serial");
        refused.put(hello("t-777", "[]", "{\"rack\":\"<i>rogue</i>\"}"), "4400 invalid hello: labels.rack: not a label value");
        refused.put(hello("t-777", "[" + drive("ROGUE03", "") + "," + drive("ROGUE03", "") + "]", "{}"),
                "4400 invalid hello: drives[1].serial: drive ROGUE03 is listed twice");
        refused.put(hello("t-777", "[" + drive("ROGUE04", ",\"capacity\":" + Long.MAX_VALUE) + "]", "{}"),
                "4400 invalid hello: drives[0].capacity: above");
        refused.put(hello("t-777", "[" + drive("ROGUE05", ",\"health\":\"rogue\"") + "]", "{}"),
                "4400 invalid hello: drives[0].health: wrong type or value");
        refused.put(hello("t-777", "[" + drive("ROGUE06", ",\"labels\":{\"model\":\"Rogue 9000 <script>\"}") + "]",
                "{}"), "4400 invalid hello: drives[0].labels.model: not a label value");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            RawAgent a = dial(ROGUE);
            a.send(e.getKey());
            assertThat(a.closed()).as(e.getKey()).startsWith(e.getValue());
        }

        // Welcomed with a valid hello, then a report that breaks the rules: the same refusal.
        List<String> reports = List.of(
                report("[" + drive("ROGUE07", ",\"labels\":{\"rogue key\":\"x\"}") + "]"),
                report("[" + drive("ROGUE08", "") + "," + drive("ROGUE08", "") + "]"),
                report("[" + drive("ROGUE\\u001b[2J09", "") + "]"),
                "{\"type\":\"report\",\"seq\":2,\"health\":\"rogue\"}");
        List<String> reasons = List.of("4400 invalid report: drives[0].labels: a key is not a label key",
                "4400 invalid report: drives[1].serial: drive ROGUE08 is listed twice",
                "4400 invalid report: drives[0].serial: not a serial",
                "4400 invalid report: health: wrong type or value");
        for (int i = 0; i < reports.size(); i++) {
            RawAgent a = dial(ROGUE);
            a.send(hello("t-777", "[" + drive("T777A", "") + "]", "{\"rack\":\"rack-c\"}"));
            await().atMost(BOUND).until(() -> a.texts.stream().anyMatch(t -> t.contains("\"type\":\"welcome\"")));
            a.send(reports.get(i));
            assertThat(a.closed()).as(reports.get(i)).startsWith(reasons.get(i));
        }
        barrier();
        assertHistoryClean();
        assertThat(recorded().inventory().targets()).filteredOn(t -> t.id().equals("t-777")).singleElement()
                .satisfies(t -> assertThat(t.drives()).extracting(Drive::serial).containsExactly("T777A"));
    }

    /**
     * A target that names a serial another connected target reports is not believed: the drive's record stays with
     * the target that has it, in every commit. (A drive really moved is a move once its old target stops reporting
     * it; see NodeAgentsTest.)
     */
    @Test
    void aSerialAnotherConnectedTargetReportsIsNotTakenOverByNamingIt() throws Exception {
        RawAgent rogue = dial(ROGUE);
        rogue.send(hello("t-666", "[" + drive(REAL_SERIAL, "") + "]", "{\"rack\":\"rack-c\"}"));
        await().atMost(BOUND).until(() -> rogue.texts.stream().anyMatch(t -> t.contains("\"type\":\"welcome\"")));
        rogue.send(report("[" + drive(REAL_SERIAL, ",\"health\":\"failed\"") + "]"));
        rogue.send(report("[" + drive(REAL_SERIAL, "") + "]"));
        barrier();

        assertThat(node.agents().target("t-666")).hasValueSatisfying(t -> assertThat(t.drives()).isEmpty());
        assertThat(command("t-001")).hasValueSatisfying(c -> assertThat(c.ok()).isTrue());
        List<RecordedState> history = history();
        for (RecordedState s : history) {
            s.inventory().targets().stream().filter(t -> !t.id().equals("t-001")).forEach(t ->
                    assertThat(t.drives()).as("%s in %s", t.id(), s.commitId()).extracting(Drive::serial)
                            .doesNotContain(REAL_SERIAL));
        }
        assertThat(recorded().inventory().targetOf(REAL_SERIAL)).map(Target::id).hasValue("t-001");
        assertThat(recorded().inventory().targets()).extracting(Target::id).contains("t-666");
        rogue.session.close(AgentProtocol.CLOSE_NORMAL, "done", Callback.NOOP);
    }

    @Test
    void aRevokedCredentialsSessionsAreClosedWith4401AndItCannotComeBack() throws Exception {
        RawAgent welcomed = dial(T009);
        welcomed.send(hello("t-009", "[]", "{}"));
        await().atMost(BOUND).until(() -> welcomed.texts.stream().anyMatch(t -> t.contains("\"type\":\"welcome\"")));
        RawAgent silent = dial(T009); // upgraded, no hello yet

        CredentialsFile.write(credentialsFile, Credentials.of(agents(false)));

        long start = System.nanoTime();
        assertThat(welcomed.closed()).isEqualTo("4401 credential revoked or expired");
        assertThat(silent.closed()).as("a session that has not said hello yet is closed too")
                .isEqualTo("4401 credential revoked or expired");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThatThrownBy(() -> dial(T009)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(UpgradeException.class)
                .satisfies(e -> assertThat(((UpgradeException) e).getResponseStatusCode()).isEqualTo(401));
        assertThat(t001.status().connected()).as("other credentials are untouched").isTrue();
    }

    // ---- helpers ----

    private java.util.Optional<CommandState> command(String target) {
        return node.agents().command(NodeKind.TARGET, target);
    }

    private RecordedState recorded() {
        return StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
    }

    /** Every commit of the state ref, oldest first. */
    private List<RecordedState> history() {
        String tip = store.resolve(StateStore.STATE_REF);
        return store.firstParents(StateStore.STATE_REF, tip, "").stream()
                .map(c -> StateFiles.decodeStrict(store.read(StateStore.STATE_REF, c))).toList();
    }

    /** No commit of the state ref holds the marker of a refused message, in a path or in a file. */
    private void assertHistoryClean() {
        String tip = store.resolve(StateStore.STATE_REF);
        List<String> commits = store.firstParents(StateStore.STATE_REF, tip, "");
        assertThat(commits).isNotEmpty();
        for (String c : commits) {
            Snapshot s = store.read(StateStore.STATE_REF, c);
            s.files().forEach((path, bytes) -> {
                assertThat(path.toLowerCase(Locale.ROOT)).as("a path of %s", c).doesNotContain(MARKER);
                assertThat(new String(bytes, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT))
                        .as("%s at %s", path, c).doesNotContain(MARKER).doesNotContain("<");
            });
        }
    }

    /**
     * Waits until a new node, welcomed after everything the test sent before, is recorded: changes are recorded in
     * the order they were observed, so whatever an earlier message would have recorded is in the state by then.
     */
    private void barrier() throws Exception {
        String id = "sim-a-barrier-" + barriers.incrementAndGet();
        RawAgent a = dial(SIM_A);
        a.send(hello(id, "[]", "{}"));
        await().atMost(BOUND).pollInterval(Duration.ofMillis(50)).until(() -> recorded().inventory().targets()
                .stream().anyMatch(t -> t.id().equals(id)));
        a.session.close(AgentProtocol.CLOSE_NORMAL, "done", Callback.NOOP);
    }

    private RawAgent dial(String token) throws Exception {
        RawAgent agent = new RawAgent();
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer " + token);
        Session s = client.connect(agent, AgentProtocol.endpointOf(node.url()), request).get(10, TimeUnit.SECONDS);
        sessions.add(s);
        return agent;
    }

    private static String hello(String nodeId, String drives, String labels) {
        return "{\"type\":\"hello\",\"protocols\":[1],\"nodeId\":\"" + nodeId + "\",\"kind\":\"target\",\"labels\":"
                + labels + ",\"drives\":" + drives + "}";
    }

    private static String report(String drives) {
        return "{\"type\":\"report\",\"seq\":1,\"health\":\"healthy\",\"drives\":" + drives + "}";
    }

    /** A drive; {@code extra} may give its own capacity or health instead of the defaults (keys are never repeated). */
    private static String drive(String serial, String extra) {
        String capacity = extra.contains("\"capacity\"") ? "" : ",\"capacity\":3840755982336";
        String health = extra.contains("\"health\"") ? "" : ",\"health\":\"ok\"";
        return "{\"serial\":\"" + serial + "\"" + capacity + health + extra + "}";
    }

    /** A raw agent: says what the test tells it and keeps what it hears. */
    public static final class RawAgent implements Session.Listener.AutoDemanding {
        final List<String> texts = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> close = new CompletableFuture<>();
        volatile Session session;

        @Override
        public void onWebSocketOpen(Session s) {
            session = s;
        }

        @Override
        public void onWebSocketText(String text) {
            texts.add(text);
        }

        @Override
        public void onWebSocketClose(int code, String reason) {
            close.complete(code + " " + reason);
        }

        void send(String text) {
            session.sendText(text, Callback.NOOP);
        }

        /** The close code and reason, once the instance closed. */
        String closed() throws Exception {
            return close.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** A real target with one drive. */
    private record Machine(String rack, String serial) implements ManagedNode {
        @Override
        public Map<String, String> labels() {
            return Map.of("rack", rack, "zone", "zone-a");
        }

        @Override
        public List<Drive> drives() {
            return List.of(Drive.of(serial, 3_840_755_982_336L));
        }

        @Override
        public TargetHealth health() {
            return TargetHealth.HEALTHY;
        }

        @Override
        public Performance performance() {
            return Performance.IDLE;
        }
    }
}
