package io.nvmesh.service.http;

import io.nvmesh.service.counters.BucketDigest;
import io.nvmesh.service.counters.CounterEntry;
import io.nvmesh.service.counters.CounterTransport;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Counter replication over HTTP with the peer secret: its own small Jetty client, so that a burst of counter traffic
 * never queues behind (or in front of) heartbeats.
 */
public final class JettyCounterTransport implements CounterTransport {

    /** A pull answers with one contributor's entries in one bucket; generous, but bounded. */
    static final int MAX_ANSWER_BYTES = 32 * 1024 * 1024;

    private final HttpClient client;
    private final String self;
    private final String authorization;
    private final long timeoutMillis;

    private JettyCounterTransport(HttpClient client, String self, String peerSecret, long timeoutMillis) {
        this.client = client;
        this.self = self;
        this.authorization = "Bearer " + peerSecret;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * @param self    this instance's id, named in pushed batches and thread names
     * @param timeout connect and total timeout of one request
     */
    public static JettyCounterTransport start(String self, String peerSecret, Duration timeout) {
        return start(self, peerSecret, timeout, java.util.Optional.empty());
    }

    /** As above; with {@code tls}, https peers are dialled with this instance's certificate. */
    public static JettyCounterTransport start(String self, String peerSecret, Duration timeout,
                                              java.util.Optional<io.nvmesh.service.config.TlsConfig> tls) {
        HttpClient client = PeerCalls.startClient("nvmesh-counter-client-" + self, timeout, tls);
        return new JettyCounterTransport(client, self, peerSecret, timeout.toMillis());
    }

    @Override
    public CompletableFuture<Void> push(URI peer, List<CounterEntry> entries) {
        byte[] body = Json.write(CounterJson.BatchJson.of(self, entries));
        Request request = PeerCalls.request(client, peer, "/v1/peer/counters").method(HttpMethod.POST)
                .body(new BytesRequestContent("application/json", body));
        return send(request, bytes -> null);
    }

    @Override
    public CompletableFuture<List<BucketDigest>> digest(URI peer) {
        Request request = PeerCalls.request(client, peer, "/v1/peer/counters/digest").method(HttpMethod.GET);
        return send(request, bytes -> Json.read(bytes, CounterJson.DigestsJson.class).digests().stream()
                .map(CounterJson.DigestJson::toDigest).toList());
    }

    @Override
    public CompletableFuture<List<CounterEntry>> pull(URI peer, String contributor, int bucket) {
        Request request = PeerCalls.request(client, peer, "/v1/peer/counters?contributor="
                + URLEncoder.encode(contributor, StandardCharsets.UTF_8) + "&bucket=" + bucket).method(HttpMethod.GET);
        return send(request, bytes -> Json.read(bytes, CounterJson.BatchJson.class).toEntries());
    }

    private <T> CompletableFuture<T> send(Request request, Function<byte[], T> parse) {
        return PeerCalls.send(request, authorization, timeoutMillis, MAX_ANSWER_BYTES, parse);
    }

    @Override
    public void close() {
        PeerCalls.stop(client);
    }
}
