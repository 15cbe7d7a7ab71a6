package io.nvmesh.service.http;

import io.nvmesh.service.events.Event;
import io.nvmesh.service.events.EventTransport;
import io.nvmesh.service.events.Interest;
import io.nvmesh.service.events.InterestChange;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpMethod;

/** Events and interest to peers over HTTP with the peer secret, on a Jetty client of their own. */
public final class JettyEventTransport implements EventTransport {

    private final HttpClient client;
    private final String authorization;
    private final long timeoutMillis;

    private JettyEventTransport(HttpClient client, String ownToken, long timeoutMillis) {
        this.client = client;
        this.authorization = "Bearer " + ownToken;
        this.timeoutMillis = timeoutMillis;
    }

    public static JettyEventTransport start(String self, String ownToken, Duration timeout) {
        return start(self, ownToken, timeout, java.util.Optional.empty());
    }

    /** As above; with {@code tls}, https peers are dialled with this instance's certificate. */
    public static JettyEventTransport start(String self, String ownToken, Duration timeout,
                                            java.util.Optional<io.nvmesh.service.config.TlsConfig> tls) {
        HttpClient client = PeerCalls.startClient("nvmesh-event-client-" + self, timeout, tls);
        return new JettyEventTransport(client, ownToken, timeout.toMillis());
    }

    /**
     * One request when the batch fits a peer's body limit; otherwise halves, one after the other (so they arrive in
     * order), down to single events. An event too large alone fails its request (counted lost by the link).
     */
    @Override
    public CompletableFuture<Void> events(URI peer, String from, List<Event> events) {
        byte[] body = Json.write(new EventEndpoints.BatchJson(from,
                events.stream().map(EventEndpoints::eventJson).toList()));
        if (body.length <= Router.MAX_BODY_BYTES || events.size() == 1) {
            return post(peer, "/v1/peer/events", body, bytes -> null);
        }
        int half = events.size() / 2;
        List<Event> second = List.copyOf(events.subList(half, events.size()));
        return events(peer, from, List.copyOf(events.subList(0, half)))
                .handle((ok, failure) -> failure)
                .thenCompose(failure -> events(peer, from, second).thenApply(ok -> {
                    if (failure != null) {
                        throw new java.util.concurrent.CompletionException(failure);
                    }
                    return ok;
                }));
    }

    @Override
    public CompletableFuture<Void> interest(URI peer, Interest interest) {
        return post(peer, "/v1/peer/events/interest", EventEndpoints.InterestJson.of(interest), bytes -> null);
    }

    @Override
    public CompletableFuture<Boolean> interestChange(URI peer, InterestChange change) {
        return post(peer, "/v1/peer/events/interest/change", EventEndpoints.InterestChangeJson.of(change),
                bytes -> Json.read(bytes, EventEndpoints.MatchJson.class).matches());
    }

    @Override
    public CompletableFuture<Boolean> digestMatches(URI peer, String instance, String digest) {
        return post(peer, "/v1/peer/events/interest/digest", new EventEndpoints.DigestJson(instance, digest),
                bytes -> Json.read(bytes, EventEndpoints.MatchJson.class).matches());
    }

    private <T> CompletableFuture<T> post(URI peer, String path, Object body, Function<byte[], T> parse) {
        return post(peer, path, Json.write(body), parse);
    }

    private <T> CompletableFuture<T> post(URI peer, String path, byte[] body, Function<byte[], T> parse) {
        Request request = PeerCalls.request(client, peer, path).method(HttpMethod.POST)
                .body(new BytesRequestContent("application/json", body));
        return PeerCalls.send(request, authorization, timeoutMillis, 1 << 20, parse);
    }

    @Override
    public void close() {
        PeerCalls.stop(client);
    }
}
