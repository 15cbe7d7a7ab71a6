package io.nvmesh.service.http;

import io.nvmesh.service.events.Event;
import io.nvmesh.service.events.EventHub;
import io.nvmesh.service.events.Interest;
import io.nvmesh.service.events.Keepalive;
import io.nvmesh.service.events.Reset;
import io.nvmesh.service.events.StreamItem;
import io.nvmesh.service.events.Subscription;
import io.nvmesh.service.events.Topics;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * The HTTP face of the {@link EventHub}: the Server-Sent Events stream {@code GET /v1/events} and its WebSocket twin
 * {@code GET /v1/events/ws} (a handler in front of the router, because a stream is not one JSON answer) and the peer
 * endpoints that carry events and interest between instances. Nothing here blocks: items are written asynchronously,
 * one write in flight per stream.
 */
final class EventEndpoints {

    static final String STREAM = "/v1/events";
    static final int MAX_BATCH = 2_000;
    static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(15);
    /** Items per write: enough to catch up quickly, small enough to keep one write short. */
    private static final int ITEMS_PER_WRITE = 256;

    record EventJson(String topic, String type, long seq, String origin, Object payload) {
        static EventJson of(Event e) {
            return new EventJson(e.topic(), e.type(), e.seq(), e.origin(), e.payload());
        }

        Event toEvent() {
            return new Event(topic, type, seq, origin, payload);
        }
    }

    record BatchJson(String from, List<EventJson> events) {
        BatchJson {
            if (from == null) {
                throw new IllegalArgumentException("`from` names the sending instance");
            }
            events = Json.listOf("events", events);
        }
    }

    record InterestJson(String instance, long epoch, long version, List<String> filters) {
        InterestJson {
            filters = Json.listOf("filters", filters);
        }

        static InterestJson of(Interest i) {
            return new InterestJson(i.instance(), i.epoch(), i.version(), List.copyOf(i.filters()));
        }

        Interest toInterest() {
            return new Interest(instance, epoch, version, Set.copyOf(filters));
        }
    }

    record DigestJson(String instance, String digest) {
    }

    record MatchJson(boolean matches) {
    }

    record ResetJson(String topic, long head, String reason, Object snapshot) {
    }

    record AcceptedJson(int received) {
    }

    private final EventHub hub;

    EventEndpoints(EventHub hub) {
        this.hub = hub;
    }

    /** The peer endpoints. Inline: they only touch memory and queue asynchronous writes. */
    List<Route> routes() {
        return List.of(
                Route.inline("POST", "/v1/peer/events", Access.PEER, this::events),
                Route.inline("POST", "/v1/peer/events/interest", Access.PEER, this::interest),
                Route.inline("POST", "/v1/peer/events/interest/digest", Access.PEER, this::digest));
    }

    private ApiResponse events(ApiRequest request) {
        BatchJson batch = Json.read(request.body(), BatchJson.class);
        if (batch.events().size() > MAX_BATCH) {
            throw ApiException.badRequest("at most " + MAX_BATCH + " events per batch, got " + batch.events().size());
        }
        List<Event> events = new ArrayList<>(batch.events().size());
        try {
            batch.events().forEach(e -> events.add(e.toEvent()));
        } catch (RuntimeException e) {
            throw ApiException.badRequest("not a valid event: " + e.getMessage());
        }
        hub.accept(batch.from(), events);
        return ApiResponse.ok(new AcceptedJson(events.size()));
    }

    private ApiResponse interest(ApiRequest request) {
        InterestJson json = Json.read(request.body(), InterestJson.class);
        try {
            hub.interestOf(json.toInterest());
        } catch (RuntimeException e) {
            throw ApiException.badRequest("not a valid interest: " + e.getMessage());
        }
        return ApiResponse.ok(new MatchJson(true));
    }

    private ApiResponse digest(ApiRequest request) {
        DigestJson json = Json.read(request.body(), DigestJson.class);
        if (json.instance() == null || json.digest() == null) {
            throw ApiException.badRequest("a digest names its instance and digest");
        }
        return ApiResponse.ok(new MatchJson(hub.digestMatches(json.instance(), json.digest())));
    }

    /**
     * Serves {@code GET /v1/events} (SSE) and {@code GET /v1/events/ws} (WebSocket upgrade) and passes every other
     * request to {@code next}.
     */
    Handler streams(Handler next, Authenticator authenticator, ServerWebSocketContainer container) {
        return new StreamHandler(next, authenticator, container);
    }

    /**
     * What a consumer asked for, from the query (and {@code Last-Event-ID}); the same for both transports. Checked
     * whole before a WebSocket upgrade, so every mistake is a 400 problem rather than a closed socket.
     */
    record StreamRequest(Set<String> filters, Map<String, Long> since, Duration keepalive) {

        static StreamRequest of(Request request) {
            Fields query = Request.extractQueryParameters(request);
            Set<String> topics = new LinkedHashSet<>(query.getValuesOrEmpty("topic"));
            if (topics.isEmpty()) {
                throw ApiException.badRequest("subscribe to at least one topic (topic=volume/db-01, topic=drive/*)");
            }
            try {
                topics.forEach(Topics::checkFilter);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
            Map<String, Long> since = EventEndpoints.since(topics, query.getValuesOrEmpty("since"),
                    request.getHeaders().get("Last-Event-ID"));
            return new StreamRequest(topics, since, EventEndpoints.keepalive(query.getValue("keepalive")));
        }
    }

    /** Subscribes as {@code r} asks; a malformed filter is a 400 problem. */
    Subscription subscribe(StreamRequest r, Runnable ready) {
        try {
            return hub.subscribe(r.filters(), r.since(), r.keepalive(), ready);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private final class StreamHandler extends Handler.Wrapper {

        private final Authenticator authenticator;
        private final ServerWebSocketContainer container;

        StreamHandler(Handler next, Authenticator authenticator, ServerWebSocketContainer container) {
            super(next);
            this.authenticator = authenticator;
            this.container = container;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = Request.getPathInContext(request);
            if (path.equals(EventSocket.PATH)) {
                return EventSocket.upgrade(EventEndpoints.this, authenticator, container, request, response,
                        callback);
            }
            if (!path.equals(STREAM)) {
                return super.handle(request, response, callback);
            }
            Subscription subscription;
            SseStream stream;
            try {
                if (!request.getMethod().equals("GET")) {
                    throw new ApiException(405, "method-not-allowed", "Method not allowed", request.getMethod()
                            + " is not supported on " + STREAM + "; use GET", Map.of("Allow", "GET"));
                }
                authenticator.check(Access.READ, request.getHeaders().get(HttpHeader.AUTHORIZATION));
                StreamRequest wanted = StreamRequest.of(request);
                stream = new SseStream(response, callback);
                subscription = subscribe(wanted, stream::signal);
            } catch (ApiException e) {
                problem(response, callback, path, e);
                return true;
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream;charset=utf-8");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put("X-Accel-Buffering", "no");
            stream.start(subscription, ByteBuffer.wrap((": subscribed to " + String.join(" ", subscription.filters())
                    + "\n\n").getBytes(StandardCharsets.UTF_8)));
            return true;
        }
    }

    private static Map<String, Long> since(Set<String> topics, List<String> values, String lastEventId) {
        Map<String, Long> since = new HashMap<>();
        List<String> all = new ArrayList<>(values);
        if (all.isEmpty() && lastEventId != null && !lastEventId.isBlank()) {
            all.add(lastEventId.trim());
        }
        for (String v : all) {
            int colon = v.lastIndexOf(':');
            String number = colon < 0 ? v : v.substring(colon + 1);
            long n;
            try {
                n = Long.parseLong(number);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("`since` is a sequence (since=N) or a topic and a sequence"
                        + " (since=volume/x:N), got " + v);
            }
            if (colon < 0) {
                topics.forEach(t -> since.putIfAbsent(t, n));
            } else {
                String topic = v.substring(0, colon);
                if (!topics.contains(topic)) {
                    throw ApiException.badRequest("`since` names " + topic + ", which is not a requested topic");
                }
                since.put(topic, n);
            }
        }
        return since;
    }

    private static Duration keepalive(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_KEEPALIVE;
        }
        try {
            int seconds = Integer.parseInt(value);
            if (seconds >= 1 && seconds <= 300) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // fall through to the problem
        }
        throw ApiException.badRequest("`keepalive` is a number of seconds from 1 to 300, got " + value);
    }

    static void problem(Response response, Callback callback, String path, ApiException e) {
        response.setStatus(e.status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, ProblemJson.MEDIA_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        e.headers.forEach((name, value) -> response.getHeaders().put(name, value));
        response.write(true, ByteBuffer.wrap(Json.write(e.problem(path))), callback);
    }

    /** The JSON text of an event (SSE {@code data:}, and the WebSocket frame's {@code event} member). */
    static String json(Event e) {
        return new String(Json.write(EventJson.of(e)), StandardCharsets.UTF_8);
    }

    /** The JSON text of a reset. */
    static String json(Reset r) {
        return new String(Json.write(new ResetJson(r.topic(), r.head(), r.reason(), r.snapshot())),
                StandardCharsets.UTF_8);
    }

    /** One response being streamed as Server-Sent Events: up to {@link #ITEMS_PER_WRITE} items per write. */
    private static final class SseStream extends StreamPump<ByteBuffer> {

        private final Response response;

        SseStream(Response response, Callback callback) {
            super(callback::failed);
            this.response = response;
        }

        @Override
        ByteBuffer collect(Subscription s) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < ITEMS_PER_WRITE; i++) {
                StreamItem item = s.poll();
                if (item == null) {
                    break;
                }
                if (item instanceof Event e) {
                    out.append("id: ").append(e.seq()).append('\n').append("data: ").append(json(e)).append("\n\n");
                } else if (item instanceof Reset r) {
                    out.append("event: reset\ndata: ").append(json(r)).append("\n\n");
                } else if (item instanceof Keepalive) {
                    out.append(": keepalive\n\n");
                }
            }
            return out.isEmpty() ? null : ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8));
        }

        @Override
        void write(ByteBuffer content, Done done) {
            response.write(false, content, new Callback() {
                @Override
                public void succeeded() {
                    done.succeeded();
                }

                @Override
                public void failed(Throwable x) {
                    done.failed(x);
                }
            });
        }
    }
}
