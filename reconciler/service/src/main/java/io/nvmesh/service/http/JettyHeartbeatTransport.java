package io.nvmesh.service.http;

import io.nvmesh.service.cluster.Heartbeat;
import io.nvmesh.service.cluster.HeartbeatTransport;
import io.nvmesh.service.config.InstanceConfig;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Posts heartbeats to peers with Jetty's HTTP client.
 *
 * <p>Jetty's client rather than {@code java.net.http}: it has a real life cycle on Java 17 ({@link #close} stops its
 * threads and connections; the JDK client gains {@code close()} only in Java 21, so every restarted instance in a
 * test would leak a selector thread), it is already on the classpath with the server, and it keeps connections to
 * peers alive between heartbeats. Every request has a hard total timeout, so a hung peer costs one missed reply.
 */
public final class JettyHeartbeatTransport implements HeartbeatTransport {

    /** A refusal on loopback or a LAN comes back in microseconds; longer means no answer (a drop, a paused host). */
    static final int PROBE_TIMEOUT_MILLIS = 250;

    private final HttpClient client;
    private final ExecutorService prober;
    private final String authorization;
    private final long timeoutMillis;
    private final long maxSkewMillis;

    private JettyHeartbeatTransport(HttpClient client, String ownToken, long timeoutMillis, long maxSkewMillis) {
        this.client = client;
        this.prober = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nvmesh-peer-probe-" + client.getName());
            t.setDaemon(true);
            return t;
        });
        this.authorization = "Bearer " + ownToken;
        this.timeoutMillis = timeoutMillis;
        this.maxSkewMillis = maxSkewMillis;
    }

    /**
     * @param name    used in thread names
     * @param timeout connect and total timeout of one heartbeat
     */
    public static JettyHeartbeatTransport start(String name, String ownToken, Duration timeout) {
        return start(name, ownToken, timeout, InstanceConfig.DEFAULT_MAX_CLOCK_SKEW);
    }

    /** @param maxClockSkew how far ahead of our clock a peer's answered epoch may be */
    public static JettyHeartbeatTransport start(String name, String ownToken, Duration timeout,
                                                Duration maxClockSkew) {
        return start(name, ownToken, timeout, maxClockSkew, java.util.Optional.empty());
    }

    /** As above; with {@code tls}, https peers are dialled with this instance's certificate. */
    public static JettyHeartbeatTransport start(String name, String ownToken, Duration timeout,
                                                Duration maxClockSkew,
                                                java.util.Optional<io.nvmesh.service.config.TlsConfig> tls) {
        // Two connections per peer: heartbeats are small and one at a time; a third would only mean a hung one.
        HttpClient client = PeerCalls.startClient("nvmesh-peer-client-" + name, timeout, tls, 2);
        return new JettyHeartbeatTransport(client, ownToken, timeout.toMillis(), maxClockSkew.toMillis());
    }

    @Override
    public CompletableFuture<Heartbeat> send(URI peer, Heartbeat heartbeat) {
        String body = Json.text(Json.write(HeartbeatJson.of(heartbeat)));
        Request request = PeerCalls.request(client, peer, "/v1/peer/heartbeat").method(HttpMethod.POST)
                .body(new StringRequestContent("application/json", body, StandardCharsets.UTF_8));
        return PeerCalls.send(request, authorization, timeoutMillis, 16 * 1024, content ->
                Json.read(content, HeartbeatJson.class).toHeartbeat(System.currentTimeMillis() + maxSkewMillis));
    }

    /**
     * A bare TCP connect to the peer's port, closed at once: no TLS handshake, no request, so it costs the peer an
     * accept and nothing is logged there. Blocking connects on one thread of our own, each bounded by {@link
     * #PROBE_TIMEOUT_MILLIS}; probes are rare (only while a peer is suspected).
     */
    @Override
    public CompletableFuture<Probe> probe(URI peer) {
        CompletableFuture<Probe> result = new CompletableFuture<>();
        try {
            prober.execute(() -> result.complete(connect(peer)));
        } catch (RejectedExecutionException e) {
            result.complete(Probe.UNKNOWN);
        }
        return result;
    }

    private static Probe connect(URI peer) {
        int port = peer.getPort() >= 0 ? peer.getPort() : "https".equalsIgnoreCase(peer.getScheme()) ? 443 : 80;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(peer.getHost(), port), PROBE_TIMEOUT_MILLIS);
            return Probe.ACCEPTED;
        } catch (ConnectException e) {
            // "Connection refused": a RST to our SYN. A timed-out connect is a SocketTimeoutException; other
            // ConnectExceptions (an OS-level timeout) say nothing.
            return e.getMessage() != null && e.getMessage().contains("refused") ? Probe.REFUSED : Probe.UNKNOWN;
        } catch (IOException | RuntimeException e) {
            return Probe.UNKNOWN;
        }
    }

    @Override
    public void close() {
        prober.shutdownNow();
        PeerCalls.stop(client);
    }
}
