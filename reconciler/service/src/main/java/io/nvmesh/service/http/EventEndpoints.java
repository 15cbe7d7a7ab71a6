package io.nvmesh.service.http;

import io.nvmesh.service.events.Event;
import io.nvmesh.service.events.EventHub;
import io.nvmesh.service.events.Interest;
import io.nvmesh.service.events.Keepalive;
import io.nvmesh.service.events.Reset;
import io.nvmesh.service.events.StreamItem;
import io.nvmesh.service.events.Subscription;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The HTTP face of the {@link EventHub}: the Server-Sent Events stream {@code GET /v1/events} (a handler in front of
 * the router, because a stream is not one JSON answer) and the peer endpoints that carry events and interest between
 * instances. Nothing here blocks: items are written asynchronously, one write in flight per stream.
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
            events = events == null ? List.of() : List.copyOf(events);
        }
    }

    record InterestJson(String instance, long epoch, long version, List<String> filters) {
        static InterestJson of(Interest i) {
            return new InterestJson(i.instance(), i.epoch(), i.version(), List.copyOf(i.filters()));
        }

        Interest toInterest() {
            return new Interest(instance, epoch, version, Set.copyOf(filters == null ? List.of() : filters));
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

    /** Serves {@code GET /v1/events} and passes every other request to {@code next}. */
    Handler streams(Handler next, Authenticator authenticator) {
        return new StreamHandler(next, authenticator);
    }

    private final class StreamHandler extends Handler.Wrapper {

        private final Authenticator authenticator;

        StreamHandler(Handler next, Authenticator authenticator) {
            super(next);
            this.authenticator = authenticator;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = Request.getPathInContext(request);
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
                Fields query = Request.extractQueryParameters(request);
                Set<String> topics = new LinkedHashSet<>(query.getValuesOrEmpty("topic"));
                Map<String, Long> since = since(topics, query.getValuesOrEmpty("since"),
                        request.getHeaders().get("Last-Event-ID"));
                Duration keepalive = keepalive(query.getValue("keepalive"));
                stream = new SseStream(response, callback);
                subscription = hub.subscribe(topics, since, keepalive, stream::signal);
            } catch (ApiException e) {
                problem(response, callback, path, e);
                return true;
            } catch (IllegalArgumentException e) {
                problem(response, callback, path, ApiException.badRequest(e.getMessage()));
                return true;
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream;charset=utf-8");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put("X-Accel-Buffering", "no");
            stream.start(subscription, ": subscribed to " + String.join(" ", subscription.filters()) + "\n\n");
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

    /**
     * One response being streamed. At most one write is in flight; items queued meanwhile go in the next. A write
     * that completes inline does not recurse: the loop in {@link #pump} carries on.
     */
    private static final class SseStream {

        private final Response response;
        private final Callback callback;
        private final AtomicBoolean writing = new AtomicBoolean(true);
        private final AtomicBoolean pending = new AtomicBoolean();
        private volatile Subscription subscription;
        private volatile boolean finished;

        SseStream(Response response, Callback callback) {
            this.response = response;
            this.callback = callback;
        }

        /** Writes the headers and a first comment, then whatever the subscription queued meanwhile. */
        void start(Subscription s, String hello) {
            subscription = s;
            if (write(ByteBuffer.wrap(hello.getBytes(StandardCharsets.UTF_8)))) {
                pump();
            }
        }

        void signal() {
            pending.set(true);
            pump();
        }

        private void pump() {
            while (!finished) {
                if (!writing.compareAndSet(false, true)) {
                    return;
                }
                pending.set(false);
                ByteBuffer chunk = collect();
                if (chunk == null) {
                    writing.set(false);
                    if (pending.get()) {
                        continue;
                    }
                    return;
                }
                if (!write(chunk)) {
                    return;
                }
            }
        }

        /** Returns true when the write completed inline (the caller should carry on pumping). */
        private boolean write(ByteBuffer chunk) {
            AtomicInteger state = new AtomicInteger(); // 0 writing, 1 returned first, 2 completed first
            response.write(false, chunk, new Callback() {
                @Override
                public void succeeded() {
                    writing.set(false);
                    if (!state.compareAndSet(0, 2)) {
                        pump();
                    }
                }

                @Override
                public void failed(Throwable x) {
                    finish(x);
                }
            });
            return !state.compareAndSet(0, 1);
        }

        private ByteBuffer collect() {
            Subscription s = subscription;
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < ITEMS_PER_WRITE; i++) {
                StreamItem item = s.poll();
                if (item == null) {
                    break;
                }
                if (item instanceof Event e) {
                    out.append("id: ").append(e.seq()).append('\n').append("data: ")
                            .append(new String(Json.write(EventJson.of(e)), StandardCharsets.UTF_8)).append("\n\n");
                } else if (item instanceof Reset r) {
                    out.append("event: reset\ndata: ").append(new String(Json.write(
                            new ResetJson(r.topic(), r.head(), r.reason(), r.snapshot())), StandardCharsets.UTF_8))
                            .append("\n\n");
                } else if (item instanceof Keepalive) {
                    out.append(": keepalive\n\n");
                }
            }
            return out.isEmpty() ? null : ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8));
        }

        private void finish(Throwable x) {
            if (finished) {
                return;
            }
            finished = true;
            Subscription s = subscription;
            if (s != null) {
                s.close();
            }
            callback.failed(x);
        }
    }
}
