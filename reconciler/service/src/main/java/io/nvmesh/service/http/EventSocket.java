package io.nvmesh.service.http;

import io.nvmesh.service.auth.Caller;
import io.nvmesh.service.events.Event;
import io.nvmesh.service.events.Keepalive;
import io.nvmesh.service.events.Reset;
import io.nvmesh.service.events.StreamItem;
import io.nvmesh.service.events.StreamLimits;
import io.nvmesh.service.events.Subscription;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * The event stream over WebSocket: {@code GET /v1/events/ws} takes the query of {@code GET /v1/events} (topics,
 * since, keepalive) and sends one JSON text frame per item: {@code {"subscribed":[...]}} first, then
 * {@code {"event":{...}}}, {@code {"reset":{...}}} and {@code {"keepalive":{}}}, where the inner objects are exactly
 * the SSE {@code data:} objects. Problems (401, 403, 400, 429) are answered before the upgrade, as plain HTTP.
 *
 * <p>The read token comes in the {@code Authorization} header, or, for browsers (which cannot set headers on a
 * WebSocket), as the subprotocol {@code bearer.<token>} offered next to {@code nvmesh.events}; the server then selects
 * {@code nvmesh.events}, so the token is never echoed. A query parameter was not chosen: URLs end up in logs.
 *
 * <p>Public only because Jetty invokes listeners through public method handles.
 */
public final class EventSocket implements Session.Listener.AutoDemanding {

    static final String PATH = "/v1/events/ws";
    /** The subprotocol a browser offers (and the server selects) when it sends its token as a subprotocol. */
    static final String PROTOCOL = "nvmesh.events";
    static final String BEARER_PROTOCOL = "bearer.";
    /** Room above the keepalive interval before a silent connection counts as dead. */
    private static final Duration IDLE_MARGIN = Duration.ofSeconds(15);

    private final EventEndpoints endpoints;
    private final EventEndpoints.StreamRequest wanted;
    private final StreamLimits.Lease lease;
    private final Caller caller;
    private volatile Frames frames;

    private EventSocket(EventEndpoints endpoints, EventEndpoints.StreamRequest wanted, StreamLimits.Lease lease,
                        Caller caller) {
        this.endpoints = endpoints;
        this.wanted = wanted;
        this.lease = lease;
        this.caller = caller;
    }

    /** Checks the token and the query, then upgrades; any problem is the same HTTP problem as on the SSE stream. */
    static boolean upgrade(EventEndpoints endpoints, Authenticator authenticator, ServerWebSocketContainer container,
                           Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        StreamLimits.Lease lease = null;
        try {
            if (!request.getMethod().equals("GET")) {
                throw new ApiException(405, "method-not-allowed", "Method not allowed", request.getMethod()
                        + " is not supported on " + PATH + "; use GET", Map.of("Allow", "GET"));
            }
            List<String> protocols = request.getHeaders().getCSV(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL, false);
            String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            boolean tokenAsProtocol = false;
            for (String p : protocols) {
                if (authorization == null && p.startsWith(BEARER_PROTOCOL)) {
                    authorization = "Bearer " + p.substring(BEARER_PROTOCOL.length());
                    tokenAsProtocol = true;
                }
            }
            if (tokenAsProtocol && !protocols.contains(PROTOCOL)) {
                throw ApiException.badRequest("a token sent as subprotocol bearer.<token> needs the subprotocol "
                        + PROTOCOL + " offered too (the server selects it)");
            }
            Caller caller = authenticator.check(Access.READ, authorization, request, PATH);
            EventEndpoints.StreamRequest wanted = EventEndpoints.StreamRequest.of(request);
            boolean selectProtocol = protocols.contains(PROTOCOL);
            // Taken before the upgrade, so a refusal is a 429 problem, not a socket closed at once.
            StreamLimits.Lease place = endpoints.lease(caller, wanted);
            lease = place;
            if (!container.upgrade((upgradeRequest, upgradeResponse, cb) -> {
                if (selectProtocol) {
                    upgradeResponse.setAcceptedSubProtocol(PROTOCOL);
                }
                return new EventSocket(endpoints, wanted, place, caller);
            }, request, response, callback)) {
                place.close();
                throw upgradeRequired();
            }
        } catch (ApiException e) {
            if (lease != null) {
                lease.close();
            }
            EventEndpoints.problem(response, callback, path, e);
        }
        return true;
    }

    private static ApiException upgradeRequired() {
        return new ApiException(426, "upgrade-required", "Upgrade required", PATH
                + " speaks WebSocket only; GET /v1/events is the same stream as Server-Sent Events",
                Map.of("Upgrade", "websocket"));
    }

    @Override
    public void onWebSocketOpen(Session session) {
        Duration keepalive = wanted.keepalive();
        if (keepalive.plus(IDLE_MARGIN).compareTo(session.getIdleTimeout()) > 0) {
            session.setIdleTimeout(keepalive.plus(IDLE_MARGIN));
        }
        Frames f = new Frames(session);
        frames = f;
        Subscription subscription;
        try {
            subscription = endpoints.subscribe(wanted, f::signal, lease);
        } catch (ApiException e) {
            // Checked before the upgrade; only a hub that is closing gets here.
            session.close(1011, e.getMessage(), org.eclipse.jetty.websocket.api.Callback.NOOP);
            return;
        }
        endpoints.opened(f, caller);
        f.start(subscription, "{\"subscribed\":" + new String(Json.write(List.copyOf(subscription.filters())),
                java.nio.charset.StandardCharsets.UTF_8) + "}");
    }

    @Override
    public void onWebSocketText(String text) {
        // Consumers have nothing to say on this stream; what they send is ignored.
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        lease.close();
        Frames f = frames;
        if (f != null) {
            f.finish(cause);
        }
    }

    @Override
    public void onWebSocketClose(int code, String reason) {
        lease.close();
        Frames f = frames;
        if (f != null) {
            f.finish(null);
        }
    }

    /** One frame per item, one send in flight. */
    private static final class Frames extends StreamPump<String> {

        private final Session session;

        Frames(Session session) {
            super(x -> {
                if (x instanceof EventEndpoints.RevokedException revoked) {
                    // 1008: policy violation; the consumer must authenticate again.
                    session.close(1008, revoked.getMessage(), org.eclipse.jetty.websocket.api.Callback.NOOP);
                }
            });
            this.session = session;
        }

        @Override
        String collect(Subscription s) {
            StreamItem item = s.poll();
            if (item instanceof Event e) {
                return "{\"event\":" + EventEndpoints.json(e) + "}";
            }
            if (item instanceof Reset r) {
                return "{\"reset\":" + EventEndpoints.json(r) + "}";
            }
            if (item instanceof Keepalive) {
                return "{\"keepalive\":{}}";
            }
            return null;
        }

        @Override
        void write(String frame, Done done) {
            session.sendText(frame, new org.eclipse.jetty.websocket.api.Callback() {
                @Override
                public void succeed() {
                    done.succeeded();
                }

                @Override
                public void fail(Throwable x) {
                    done.failed(x);
                }
            });
        }
    }
}
