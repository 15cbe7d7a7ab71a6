package io.nvmesh.service.http;

import io.nvmesh.api.EventJson;
import io.nvmesh.api.ProblemJson;
import io.nvmesh.api.ResetJson;
import io.nvmesh.service.auth.Caller;
import io.nvmesh.service.cluster.MemberStatus;
import io.nvmesh.service.cluster.Membership;
import io.nvmesh.service.events.Event;
import io.nvmesh.service.events.EventHub;
import io.nvmesh.service.events.Interest;
import io.nvmesh.service.events.InterestChange;
import io.nvmesh.service.events.Keepalive;
import io.nvmesh.service.events.Reset;
import io.nvmesh.service.events.StaleEventException;
import io.nvmesh.service.events.StreamItem;
import io.nvmesh.service.events.StreamLimits;
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
import java.util.stream.Collectors;

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
    /**
     * What a peer's interest (whole, or a change) may take: more than other endpoints' 64 KiB, because it is one
     * request (atomic) and an instance's own subscribers make it; {@code EventHub.Settings.INTEREST_BYTES} keeps what
     * an instance sends under it.
     */
    static final int MAX_INTEREST_BODY = 1 << 20;
    static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(15);
    /** What a refused stream is told to wait: streams end when their consumers leave, which takes a while. */
    static final int RETRY_AFTER_SECONDS = 10;
    /** How far a peer's clock may run ahead of ours: epochs beyond are refused. */
    static final Duration MAX_AHEAD = io.nvmesh.service.config.InstanceConfig.DEFAULT_MAX_CLOCK_SKEW;
    /** Items per write: enough to catch up quickly, small enough to keep one write short. */
    private static final int ITEMS_PER_WRITE = 256;

    static EventJson eventJson(Event e) {
        return new EventJson(e.topic(), e.type(), e.seq(), e.origin(), e.payload());
    }

    private static Event toEvent(EventJson e) {
        return new Event(e.topic(), e.type(), e.seq(), e.origin(), e.payload());
    }

    record BatchJson(String from, List<EventJson> events) {
        BatchJson {
            require(from, "from");
            events = copyOf(events, "events");
        }
    }

    record InterestJson(String instance, long epoch, long version, List<String> filters) {
        InterestJson {
            require(instance, "instance");
            filters = copyOf(filters, "filters");
        }

        static InterestJson of(Interest i) {
            return new InterestJson(i.instance(), i.epoch(), i.version(), List.copyOf(i.filters()));
        }

        Interest toInterest() {
            return new Interest(instance, epoch, version, Set.copyOf(filters));
        }
    }

    record InterestChangeJson(String instance, long epoch, long base, long version, List<String> added,
                              List<String> removed) {
        InterestChangeJson {
            require(instance, "instance");
            added = copyOf(added, "added");
            removed = copyOf(removed, "removed");
        }

        static InterestChangeJson of(InterestChange c) {
            return new InterestChangeJson(c.instance(), c.epoch(), c.base(), c.version(), List.copyOf(c.added()),
                    List.copyOf(c.removed()));
        }

        InterestChange toChange() {
            return new InterestChange(instance, epoch, base, version, Set.copyOf(added), Set.copyOf(removed));
        }
    }

    record DigestJson(String instance, String digest) {
        DigestJson {
            require(instance, "instance");
            require(digest, "digest");
        }
    }

    record MatchJson(boolean matches) {
    }

    record AcceptedJson(int received) {
    }

    /** A field the wire format needs: missing or null is an {@link IllegalArgumentException}, which is a 400. */
    private static void require(Object value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("`" + field + "` is required");
        }
    }

    private static <T> List<T> copyOf(List<T> values, String field) {
        require(values, field);
        for (T v : values) {
            if (v == null) {
                throw new IllegalArgumentException("`" + field + "` may not contain null");
            }
        }
        return List.copyOf(values);
    }

    private final EventHub hub;
    private final String self;
    /** The configured peers: the only instances whose events and interest are taken. Fixed at start. */
    private final Set<String> members;
    /** How far ahead of this instance's clock a peer's incarnation may begin ({@code cluster.maxClockSkew}). */
    private final Duration maxAhead;
    /** Every open consumer stream (SSE or WebSocket) and whose credential it was opened with. */
    private final Map<StreamPump<?>, Caller> open = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param members the configured peers (self excluded) */
    EventEndpoints(EventHub hub, String self, Set<String> members) {
        this(hub, self, members, MAX_AHEAD);
    }

    EventEndpoints(EventHub hub, String self, Set<String> members, Duration maxAhead) {
        this.hub = hub;
        this.self = self;
        this.members = Set.copyOf(members);
        this.maxAhead = maxAhead;
    }

    /**
     * Ends every open event stream whose credential no longer holds (revoked, expired, narrowed): called when the
     * credentials file changes, as agent sessions are closed then. An SSE response is aborted (the consumer sees the
     * stream end and must authenticate again to reopen it); a WebSocket is closed with 1008 (policy violation).
     */
    void closeRevoked(java.util.function.Predicate<Caller> stillHolds) {
        open.forEach((stream, caller) -> {
            if (!stillHolds.test(caller)) {
                stream.finish(new RevokedException(caller));
            }
        });
    }

    /** Tracks {@code stream} until it finishes; a stream of a credential revoked meanwhile ends at once. */
    void opened(StreamPump<?> stream, Caller caller) {
        open.put(stream, caller);
        stream.onFinished(() -> open.remove(stream));
    }

    /** Why a stream was ended by this instance: its credential no longer holds. */
    static final class RevokedException extends RuntimeException {
        RevokedException(Caller caller) {
            super("the credential of " + caller.name() + " was revoked or expired", null, false, false);
        }
    }

    /** The endpoints of {@code hub}, taking events and interest from the configured peers of {@code membership}. */
    static EventEndpoints of(EventHub hub, Membership membership, Duration maxClockSkew) {
        return new EventEndpoints(hub, membership.selfId(), membership.view().members().stream()
                .filter(m -> !m.self()).map(MemberStatus::id).collect(Collectors.toUnmodifiableSet()), maxClockSkew);
    }

    /** The peer endpoints. Inline: they only touch memory and queue asynchronous writes. */
    List<Route> routes() {
        return List.of(
                Route.inline("POST", "/v1/peer/events", Access.PEER, r -> counted(this::events, r)),
                Route.inline("POST", "/v1/peer/events/interest", Access.PEER, r -> counted(this::interest, r))
                        .withMaxBody(MAX_INTEREST_BODY),
                Route.inline("POST", "/v1/peer/events/interest/change", Access.PEER,
                        r -> counted(this::interestChange, r)).withMaxBody(MAX_INTEREST_BODY),
                Route.inline("POST", "/v1/peer/events/interest/digest", Access.PEER, r -> counted(this::digest, r)));
    }

    /** Every refusal of a peer's request is counted by its problem type (forged, replayed or malformed news). */
    private ApiResponse counted(java.util.function.Function<ApiRequest, ApiResponse> endpoint, ApiRequest request) {
        try {
            return endpoint.apply(request);
        } catch (ApiException e) {
            hub.refusedFromPeer(e.type);
            throw e;
        }
    }

    /**
     * Events a peer raised. The sender must be a configured member and every event's origin the sender itself: a
     * peer forwards only what it raised, so an event of any other origin is forged.
     */
    private ApiResponse events(ApiRequest request) {
        BatchJson batch = read(request, BatchJson.class);
        Caller caller = sender(request, batch.from(), "send events as " + batch.from());
        if (batch.events().size() > MAX_BATCH) {
            throw ApiException.badRequest("at most " + MAX_BATCH + " events per batch, got " + batch.events().size());
        }
        List<Event> events = new ArrayList<>(batch.events().size());
        for (EventJson e : batch.events()) {
            if (!e.origin().equals(caller.name())) {
                throw ApiException.notYourId(caller, "send events raised by " + e.origin());
            }
            try {
                events.add(toEvent(e));
            } catch (RuntimeException x) {
                throw ApiException.badRequest("not a valid event: " + x.getMessage());
            }
            notAhead(e.seq() / 1_000_000L * 1000, "event " + e.seq() + " on " + e.topic());
        }
        try {
            hub.accept(caller.name(), events);
        } catch (StaleEventException e) {
            throw ApiException.conflict("stale-event", "Stale event", e.getMessage());
        }
        return ApiResponse.ok(new AcceptedJson(events.size()));
    }

    /** A peer declares its own interest, never another's. */
    private ApiResponse interest(ApiRequest request) {
        InterestJson json = read(request, InterestJson.class);
        sender(request, json.instance(), "declare the interest of " + json.instance());
        notAhead(json.epoch(), "the interest's epoch " + json.epoch());
        Interest interest;
        try {
            interest = json.toInterest();
        } catch (RuntimeException e) {
            throw ApiException.badRequest("not a valid interest: " + e.getMessage());
        }
        hub.interestOf(interest);
        return ApiResponse.ok(new MatchJson(true));
    }

    /** A peer says what changed in its own interest; {@code matches} false: we do not hold the version it changes. */
    private ApiResponse interestChange(ApiRequest request) {
        InterestChangeJson json = read(request, InterestChangeJson.class);
        sender(request, json.instance(), "change the interest of " + json.instance());
        notAhead(json.epoch(), "the interest's epoch " + json.epoch());
        InterestChange change;
        try {
            change = json.toChange();
        } catch (RuntimeException e) {
            throw ApiException.badRequest("not a valid interest change: " + e.getMessage());
        }
        return ApiResponse.ok(new MatchJson(hub.interestChanged(change)));
    }

    /** A peer asks whether we hold its own interest. */
    private ApiResponse digest(ApiRequest request) {
        DigestJson json = read(request, DigestJson.class);
        sender(request, json.instance(), "ask for the interest of " + json.instance());
        return ApiResponse.ok(new MatchJson(hub.digestMatches(json.instance(), json.digest())));
    }

    /**
     * The caller, when it is the instance {@code claimed} (else 403 {@code not-your-id}) and a configured peer of
     * this instance (else 409 {@code unknown-peer}, in that order, as heartbeats answer).
     */
    private Caller sender(ApiRequest request, String claimed, String what) {
        Caller caller = request.caller();
        if (!caller.isInstance(claimed)) {
            throw ApiException.notYourId(caller, what);
        }
        if (claimed.equals(self) || !members.contains(claimed)) {
            throw ApiException.conflict("unknown-peer", "Unknown peer", "\"" + claimed
                    + "\" is not a configured peer of " + self);
        }
        return caller;
    }

    /**
     * 400 for an incarnation that began in the future: it would outrank every honest message of its sender (an
     * interest of a later epoch replaces the one held; an event of a later epoch second makes the sender's next events
     * look old), so the sender would silence itself until then.
     */
    private void notAhead(long epochMillis, String what) {
        long limit = System.currentTimeMillis() + maxAhead.toMillis();
        if (epochMillis > limit) {
            throw ApiException.badRequest(what + " begins after now + " + maxAhead.toSeconds() + " s (the allowed "
                    + "clock skew)");
        }
    }

    /** A body of the type, or a 400: {@code null} and malformed bodies included. */
    private static <T> T read(ApiRequest request, Class<T> type) {
        T value = Json.read(request.body(), type);
        if (value == null) {
            throw ApiException.badRequest("the body is not a valid " + type.getSimpleName().replace("Json", "")
                    + ": null");
        }
        return value;
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

    /**
     * A place for one stream of {@code caller}'s: 429 {@code too-many-streams} (with {@code Retry-After}) when the
     * caller or this instance holds its most streams, 400 {@code too-many-filters} when the stream asks for more
     * filters than one may have (asking again will not help). Taken before a stream starts or a socket upgrades.
     */
    StreamLimits.Lease lease(Caller caller, StreamRequest r) {
        try {
            return hub.streams().open(caller.name(), r.filters().size());
        } catch (StreamLimits.Refused e) {
            if (e.reason() == StreamLimits.Reason.FILTERS) {
                throw new ApiException(400, "too-many-filters", "Too many filters", e.getMessage(), Map.of());
            }
            throw new ApiException(429, "too-many-streams", "Too many streams", e.getMessage(),
                    Map.of("Retry-After", String.valueOf(RETRY_AFTER_SECONDS)));
        }
    }

    /** Subscribes as {@code r} asks, in the place {@code lease} holds; a malformed filter is a 400 problem. */
    Subscription subscribe(StreamRequest r, Runnable ready, StreamLimits.Lease lease) {
        try {
            return hub.subscribe(r.filters(), r.since(), r.keepalive(), ready, lease);
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
                Caller caller = authenticator.check(Access.READ, request.getHeaders().get(HttpHeader.AUTHORIZATION),
                        request, STREAM);
                StreamRequest wanted = StreamRequest.of(request);
                StreamLimits.Lease lease = lease(caller, wanted);
                stream = new SseStream(response, callback);
                subscription = subscribe(wanted, stream::signal, lease);
                opened(stream, caller);
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
        return new String(Json.write(eventJson(e)), StandardCharsets.UTF_8);
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
