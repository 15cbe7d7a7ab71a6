package io.nvmesh.service.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.certs.CertificateAuthority;
import io.nvmesh.core.certs.CertificateName;
import io.nvmesh.core.certs.PemFiles;
import io.nvmesh.core.certs.ReloadingClientContext;
import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.agent.AgentSettings;
import io.nvmesh.service.agent.AgentTls;
import io.nvmesh.service.agent.ManagedNode;
import io.nvmesh.service.agent.NodeAgent;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.Performance;
import io.nvmesh.service.config.AuthConfig;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.config.TlsConfig;
import io.nvmesh.service.nodes.CommandState;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation while connected, with real TLS on loopback: one instance, an SSE and a WebSocket event subscriber and a node
 * agent (presenting its own certificate) stay connected while the server's certificate is rotated, the subscribers'
 * token is rotated (a new token added, the old one revoked) and the agent's certificate is rotated, and events and
 * commands flow the whole time. The checker reads the whole recorded history: every event published is received by
 * each subscriber exactly once, in order, per topic, with no reset and no reconnection; every command sent reached
 * the agent once, in order, and its ack reached the instance; the agent was welcomed once.
 */
class RotationWhileConnectedTest {

    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final String OLD = "watcher-token-old-0000001";
    private static final String NEW = "watcher-token-new-0000002";
    private static final List<String> TOPICS = List.of("volume/rot-a", "volume/rot-b", "drive/ROT0001");
    private static final Pattern EVENT = Pattern.compile("\"topic\":\"([^\"]+)\",\"type\":\"[^\"]*\",\"seq\":(\\d+)");

    @TempDir
    Path dir;

    private CertificateAuthority ca;
    private Path credentials;
    private ReconcilerNode r1;
    private AgentRuntime runtime;
    private NodeAgent agent;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    /** Publishes one event every 3 ms, the pace of a busy cluster, for as long as the rotations take. */
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicBoolean running = new AtomicBoolean(true);

    @BeforeEach
    void start() throws Exception {
        ca = CertificateAuthority.createIn(dir, "test", Duration.ofDays(30));
        issueServer();
        Files.createDirectories(dir.resolve("agents"));
        issueAgent();
        credentials = dir.resolve("credentials.yaml");
        writeCredentials(List.of(OLD));
        r1 = ReconcilerNode.start(InstanceConfig.defaults("r1", dir.resolve("data")).withListen("127.0.0.1", 0)
                .withAuth(AuthConfig.none().withCredentialsFile(credentials))
                .withTls(TlsConfig.of(dir.resolve("r1.pem"), dir.resolve("r1-key.pem"),
                        Optional.of(dir.resolve("ca.pem")))));
    }

    @AfterEach
    void stop() throws Exception {
        running.set(false);
        pacer.shutdownNow();
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
        if (agent != null) {
            agent.stop();
        }
        if (runtime != null) {
            runtime.close();
        }
        r1.close();
    }

    @Test
    void rotatingTheServerCertificateATokenAndTheAgentCertificateLosesNoEventAndNoCommand() throws Exception {
        RecordingNode node = new RecordingNode();
        runtime = AgentRuntime.start("rotation", AgentTls.perNode(dir.resolve("ca.pem"), dir.resolve("agents")));
        agent = NodeAgent.create(runtime, AgentSettings.of("t-001", NodeKind.TARGET, List.of(r1.url()), "", 1), node);
        agent.start();
        await().atMost(BOUND).until(() -> agent.status().connected());

        HttpClient http = client();
        SseSubscriber sse = new SseSubscriber(http, OLD);
        WsSubscriber ws = new WsSubscriber(http, OLD);
        await().atMost(BOUND).until(() -> sse.subscribed && ws.subscribed);

        Map<String, List<Long>> published = new TreeMap<>();
        TOPICS.forEach(t -> published.put(t, new CopyOnWriteArrayList<>()));
        List<Long> commandsSent = new CopyOnWriteArrayList<>();
        AtomicInteger eventNo = new AtomicInteger();
        Future<?> publisher = pacer.scheduleAtFixedRate(() -> {
            int i = eventNo.getAndIncrement();
            String topic = TOPICS.get(i % TOPICS.size());
            published.get(topic).add(r1.events().publish(topic, "test", Map.of("i", i)).seq());
        }, 0, 3, TimeUnit.MILLISECONDS);
        Future<?> commander = threads.submit(() -> {
            while (running.get()) {
                long seq = r1.agents().nextCommandSeq();
                boolean sent = r1.agents().send("t-001", new AgentMessage.Command(seq, List.of(), List.of()));
                assertThat(sent).as("the agent is connected when command %d is sent", seq).isTrue();
                commandsSent.add(seq);
                await().atMost(BOUND).pollInterval(Duration.ofMillis(2)).until(() -> r1.agents()
                        .command(NodeKind.TARGET, "t-001").filter(c -> c.seq() == seq && c.acked()).isPresent());
                CommandState c = r1.agents().command(NodeKind.TARGET, "t-001").orElseThrow();
                assertThat(c.ok()).as("command %d applied", seq).isTrue();
            }
            return null;
        });
        await().atMost(BOUND).until(() -> commandsSent.size() >= 20 && published.get(TOPICS.get(0)).size() >= 50);

        // 1. The server's certificate: new connections get the new one; ours carry on.
        BigInteger oldServing = servedSerial();
        issueServer();
        touch(dir.resolve("r1.pem"), dir.resolve("r1-key.pem"));
        await().atMost(BOUND).until(() -> !servedSerial().equals(oldServing));
        assertThat(servedSerial()).isEqualTo(serial(dir.resolve("r1.pem")));

        // 2. The token: the new one added beside the old, then the old one revoked.
        writeCredentials(List.of(OLD, NEW));
        await().atMost(BOUND).until(() -> status(NEW) == 200);
        writeCredentials(List.of(NEW));
        await().atMost(BOUND).until(() -> status(OLD) == 401);

        // 3. The agent's certificate.
        issueAgent();
        touch(dir.resolve("agents/t-001.pem"), dir.resolve("agents/t-001-key.pem"));

        int eventsAtRotationEnd = published.get(TOPICS.get(0)).size();
        int commandsAtRotationEnd = commandsSent.size();
        await().atMost(BOUND).until(() -> commandsSent.size() >= commandsAtRotationEnd + 20
                && published.get(TOPICS.get(0)).size() >= eventsAtRotationEnd + 50);
        running.set(false);
        pacer.shutdown(); // cancels the periodic publish; awaitTermination lets a publish under way finish
        assertThat(pacer.awaitTermination(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> publisher.get()).as("the publisher was stopped, it did not fail")
                .isInstanceOf(CancellationException.class);
        commander.get(BOUND.toSeconds(), TimeUnit.SECONDS);

        // Everything published arrived at both subscribers (they are still connected).
        await().atMost(BOUND).untilAsserted(() -> {
            for (String topic : TOPICS) {
                List<Long> all = published.get(topic);
                assertThat(sse.received(topic)).hasSameSizeAs(all);
                assertThat(ws.received(topic)).hasSameSizeAs(all);
            }
        });

        // ---- the checker, over the whole history ----
        for (String topic : TOPICS) {
            List<Long> all = published.get(topic);
            assertThat(all).as("published on %s", topic).isSorted().doesNotHaveDuplicates();
            assertThat(sse.received(topic)).as("SSE, %s: every event once, in order", topic).isEqualTo(all);
            assertThat(ws.received(topic)).as("WebSocket, %s: every event once, in order", topic).isEqualTo(all);
        }
        assertThat(sse.resets).as("SSE resets").isEmpty();
        assertThat(ws.resets).as("WebSocket resets").isEmpty();
        assertThat(sse.ended).as("the SSE stream stayed open").isFalse();
        assertThat(ws.closed).as("the WebSocket stayed open").isNull();
        assertThat(node.received).as("every command sent reached the agent once, in order").isEqualTo(commandsSent);
        assertThat(agent.status().welcomes()).as("the agent never reconnected").isEqualTo(1);
        assertThat(agent.status().lastClose()).isEmpty();
        System.out.printf("rotation while connected: %d events per topic, %d commands, all delivered%n",
                published.get(TOPICS.get(0)).size(), commandsSent.size());

        // After the revocation, a new stream needs the new token and resumes where the old one is.
        long last = sse.received(TOPICS.get(0)).get(sse.received(TOPICS.get(0)).size() - 1);
        assertThat(send(http, HttpRequest.newBuilder(events("since=" + last))
                .header("Authorization", "Bearer " + OLD)).statusCode()).isEqualTo(401);
        long next = r1.events().publish(TOPICS.get(0), "test", Map.of("i", -1)).seq();
        SseSubscriber resumed = new SseSubscriber(http, NEW, "since=" + TOPICS.get(0) + ":" + last);
        await().atMost(BOUND).until(() -> resumed.received(TOPICS.get(0)).contains(next));
        assertThat(resumed.received(TOPICS.get(0))).containsExactly(next);
    }

    /**
     * Rotating a token keeps its caller's streams (the caller still holds a credential); removing the caller's
     * credential ends them: the SSE response stops, the WebSocket closes with 1008. Another caller's stream carries on.
     */
    @Test
    void removingACredentialEndsItsOpenEventStreamsAndNoOneElses() throws Exception {
        String auditor = "auditor-token-0000000003";
        writeCredentials(List.of(OLD), List.of(auditor));
        await().atMost(BOUND).until(() -> status(auditor) == 200);
        HttpClient http = client();
        SseSubscriber sse = new SseSubscriber(http, OLD);
        WsSubscriber ws = new WsSubscriber(http, OLD);
        SseSubscriber kept = new SseSubscriber(http, auditor);
        await().atMost(BOUND).until(() -> sse.subscribed && ws.subscribed && kept.subscribed);

        writeCredentials(List.of(), List.of(auditor));

        await().atMost(BOUND).until(() -> sse.ended && ws.closed != null);
        assertThat(ws.closed).startsWith("1008 ").contains("watcher");
        long seq = r1.events().publish(TOPICS.get(0), "test", Map.of("i", 1)).seq();
        await().atMost(BOUND).until(() -> kept.received(TOPICS.get(0)).contains(seq));
        assertThat(kept.ended).as("the auditor's stream").isFalse();
        assertThat(sse.received(TOPICS.get(0))).as("nothing reached the removed caller after").doesNotContain(seq);
        assertThat(status(OLD)).isEqualTo(401);
    }

    // ---- the subscribers ----

    /** An SSE stream read line by line; never reconnects. */
    private final class SseSubscriber {
        final Map<String, List<Long>> events = new TreeMap<>();
        final List<String> resets = new CopyOnWriteArrayList<>();
        volatile boolean subscribed;
        volatile boolean ended;

        SseSubscriber(HttpClient http, String token) {
            this(http, token, "");
        }

        SseSubscriber(HttpClient http, String token, String query) {
            threads.submit(() -> {
                HttpResponse<Stream<String>> r = http.send(HttpRequest.newBuilder(events(query))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofLines());
                assertThat(r.statusCode()).isEqualTo(200);
                try (Stream<String> lines = r.body()) {
                    boolean reset = false;
                    for (String line : (Iterable<String>) lines::iterator) {
                        if (line.startsWith(": subscribed")) {
                            subscribed = true;
                        } else if (line.equals("event: reset")) {
                            reset = true;
                        } else if (line.startsWith("data: ")) {
                            if (reset) {
                                resets.add(line);
                                reset = false;
                            } else {
                                record(events, line);
                            }
                        }
                    }
                } finally {
                    ended = true;
                }
                return null;
            });
        }

        synchronized List<Long> received(String topic) {
            return List.copyOf(events.getOrDefault(topic, List.of()));
        }

        private synchronized void record(Map<String, List<Long>> into, String line) {
            RotationWhileConnectedTest.record(into, line);
        }
    }

    /** A WebSocket stream, one JSON frame per item; never reconnects. */
    private final class WsSubscriber implements WebSocket.Listener {
        final Map<String, List<Long>> events = new TreeMap<>();
        final List<String> resets = new CopyOnWriteArrayList<>();
        volatile boolean subscribed;
        volatile String closed;
        private final StringBuilder partial = new StringBuilder();

        WsSubscriber(HttpClient http, String token) {
            URI uri = URI.create(events("").toString().replaceFirst("^https", "wss").replace("/v1/events?",
                    "/v1/events/ws?"));
            http.newWebSocketBuilder().header("Authorization", "Bearer " + token).buildAsync(uri, this)
                    .orTimeout(BOUND.toSeconds(), TimeUnit.SECONDS);
        }

        @Override
        public synchronized CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                if (frame.startsWith("{\"subscribed\"")) {
                    subscribed = true;
                } else if (frame.startsWith("{\"reset\"")) {
                    resets.add(frame);
                } else if (frame.startsWith("{\"event\"")) {
                    RotationWhileConnectedTest.record(events, frame);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            closed = code + " " + reason;
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed = "error " + error;
        }

        synchronized List<Long> received(String topic) {
            return List.copyOf(events.getOrDefault(topic, List.of()));
        }
    }

    /** The node: records every command it is given, in order, and applies it. */
    private static final class RecordingNode implements ManagedNode {
        final List<Long> received = new CopyOnWriteArrayList<>();

        @Override
        public Map<String, String> labels() {
            return Map.of("rack", "rack-a");
        }

        @Override
        public List<Drive> drives() {
            return List.of();
        }

        @Override
        public TargetHealth health() {
            return TargetHealth.HEALTHY;
        }

        @Override
        public Performance performance() {
            return Performance.IDLE;
        }

        @Override
        public CompletionStage<AgentMessage.Ack> applyLater(AgentMessage.Command command) {
            received.add(command.seq());
            return CompletableFuture.completedFuture(new AgentMessage.Ack(command.seq(), true, ""));
        }
    }

    // ---- helpers ----

    private static void record(Map<String, List<Long>> into, String text) {
        Matcher m = EVENT.matcher(text);
        if (!m.find()) {
            throw new AssertionError("not an event: " + text);
        }
        into.computeIfAbsent(m.group(1), t -> new ArrayList<>()).add(Long.parseLong(m.group(2)));
    }

    private URI events(String extra) {
        StringBuilder q = new StringBuilder("/v1/events?keepalive=5");
        TOPICS.forEach(t -> q.append("&topic=").append(t));
        if (!extra.isEmpty()) {
            q.append('&').append(extra);
        }
        return r1.url().resolve(q.toString());
    }

    /** Trusts the test's CA; presents no certificate (the subscribers are token holders). */
    private HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .sslContext(ReloadingClientContext.of(Optional.of(dir.resolve("ca.pem")), Optional.empty(),
                        Optional.empty())).build();
    }

    private int status(String token) throws Exception {
        return send(client(), HttpRequest.newBuilder(r1.url().resolve("/v1/cluster"))
                .header("Authorization", "Bearer " + token)).statusCode();
    }

    /** The serial of the certificate the server shows a new connection. */
    private BigInteger servedSerial() throws Exception {
        HttpResponse<String> r = send(client(), HttpRequest.newBuilder(r1.url().resolve("/healthz")));
        return ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(BOUND).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void issueServer() throws IOException {
        ca.issue(new CertificateName(Role.INSTANCE, "r1", List.of()), List.of("127.0.0.1"), Duration.ofDays(1))
                .write(dir, "r1");
    }

    private void issueAgent() throws IOException {
        ca.issue(new CertificateName(Role.AGENT, "t-001", List.of("t-001")), List.of(), Duration.ofDays(1))
                .write(dir.resolve("agents"), "t-001");
    }

    /** The watcher's credential with the given tokens (old and new side by side while rotating), and t-001's. */
    private void writeCredentials(List<String> watcherTokens) throws Exception {
        writeCredentials(watcherTokens, List.of());
    }

    /** The watcher's tokens (one credential, "watcher"), and tokens of another reader, "auditor". */
    private void writeCredentials(List<String> watcherTokens, List<String> auditorTokens) throws Exception {
        List<Credential> all = new ArrayList<>();
        for (String t : watcherTokens) {
            all.add(Credential.ofToken("watcher", Role.READ, List.of(), t));
        }
        for (String t : auditorTokens) {
            all.add(Credential.ofToken("auditor", Role.READ, List.of(), t));
        }
        all.add(Credential.ofToken("t-001", Role.AGENT, List.of("t-001"), "agent-token-never-handed-out-1"));
        CredentialsFile.write(credentials, Credentials.of(all));
        touch(credentials);
    }

    private static void touch(Path... files) throws IOException {
        for (Path f : files) {
            Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(2)));
        }
    }

    private static BigInteger serial(Path pem) {
        return PemFiles.readCertificates(pem).get(0).getSerialNumber();
    }

}
