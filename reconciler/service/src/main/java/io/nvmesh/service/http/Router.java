package io.nvmesh.service.http;

import io.nvmesh.api.ProblemJson;
import io.nvmesh.service.auth.Caller;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * Matches method (HEAD as GET) and exact path, checks the bearer token, reads the body without blocking, then runs
 * the endpoint: inline when it is quick and in memory, on the work executor when the route says so. Every failure
 * becomes an {@code application/problem+json} answer.
 *
 * <p>The handler never blocks (it declares itself non-blocking so Jetty may call it on any thread): bodies are read
 * with {@link Content.Source#asByteArrayAsync}, offloaded work runs on the executor, and the response is written
 * asynchronously.
 */
final class Router extends Handler.Abstract.NonBlocking {

    private static final System.Logger LOG = System.getLogger(Router.class.getName());

    /** Bodies of today's endpoints are small; anything larger is a mistake or an attack. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private final Map<String, Map<String, Route>> routes = new LinkedHashMap<>();
    private final Authenticator authenticator;
    private final Executor work;
    private final List<WebSocketRoute> upgrades;

    /**
     * A path where a WebSocket upgrade is accepted for callers with the given access; {@code endpoints} makes the
     * endpoint for the authenticated caller (an agent's session may speak only for that caller's nodes).
     */
    record WebSocketRoute(String path, Access access, ServerWebSocketContainer container,
                          java.util.function.Function<Caller, Object> endpoints) {
    }

    Router(List<Route> routeList, Authenticator authenticator, Executor work) {
        this(routeList, List.of(), authenticator, work);
    }

    Router(List<Route> routeList, List<WebSocketRoute> upgrades, Authenticator authenticator, Executor work) {
        for (Route r : routeList) {
            if (routes.computeIfAbsent(r.path(), p -> new LinkedHashMap<>()).put(r.method(), r) != null) {
                throw new IllegalArgumentException("two routes for " + r.method() + " " + r.path());
            }
        }
        this.upgrades = List.copyOf(upgrades);
        this.authenticator = authenticator;
        this.work = work;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        try {
            for (WebSocketRoute ws : upgrades) {
                if (ws.path().equals(path)) {
                    // The token is checked on the upgrade request, so a refused agent gets a plain 401 problem.
                    Caller caller = authenticator.check(ws.access(),
                            request.getHeaders().get(HttpHeader.AUTHORIZATION), request, ws.path());
                    if (!ws.container().upgrade((upgradeRequest, upgradeResponse, cb) -> ws.endpoints().apply(caller),
                            request, response, callback)) {
                        throw new ApiException(426, "upgrade-required", "Upgrade required", path
                                + " speaks WebSocket only (see docs/agent-protocol.md)",
                                Map.of("Upgrade", "websocket"));
                    }
                    return true;
                }
            }
            Route route = match(request.getMethod(), path);
            Caller caller = authenticator.check(route.access(), request.getHeaders().get(HttpHeader.AUTHORIZATION),
                    request, route.path());
            Map<String, List<String>> query = query(request);
            CompletableFuture<byte[]> body = bodyOf(request, route);
            Map<String, String> pathParams = route.paramsOf(path);
            body.thenCompose(bytes -> run(route, new ApiRequest(route.method(), path, query, bytes, pathParams,
                    caller)))
                    .whenComplete((answer, failure) -> {
                        if (failure == null) {
                            audit(request, route, caller, answer.status(), null);
                            byte[] json = Json.write(answer.body());
                            send(response, callback, answer.status(), "application/json",
                                    request.getMethod().equals("HEAD") ? new byte[0] : json, Map.of());
                        } else {
                            ApiException problem = problemOf(path, failure);
                            // Before the answer: once it is sent, the request is Jetty's again.
                            audit(request, route, caller, 0, problem);
                            send(response, callback, path, problem);
                        }
                    });
        } catch (RuntimeException e) {
            if (hasBody(request)) {
                // Refused before its body was read: the connection cannot be reused, and a client that is told so
                // will not race us by sending its next request on a connection we are closing.
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            fail(response, callback, path, e);
        }
        return true;
    }

    /**
     * Tells the audit trail of an authenticated write or admin call, whatever its outcome, and of a peer or agent
     * that spoke as someone else. Reads are not audited: they change nothing, and the hot path stays free of it.
     */
    private void audit(Request request, Route route, Caller caller, int status, ApiException problem) {
        if (problem != null && problem.type.equals("not-your-id")) {
            authenticator.trail().identityRefused(request, route.path(), caller, problem);
        } else if (route.access() == Access.WRITE) {
            authenticator.trail().write(request, route.path(), caller, problem == null ? status : problem.status,
                    problem == null ? null : problem.type, problem == null ? null : problem.getMessage());
        }
    }

    /**
     * Whether a request is for an expensive route, limited per source: one whose work is offloaded because it reads
     * Git or computes over the whole cluster, called by people and their tools (peers' offloaded routes are paced by
     * the peers themselves and limited by their credential).
     */
    boolean expensive(Request request) {
        try {
            Route route = match(request.getMethod(), Request.getPathInContext(request));
            return route.offload() && (route.access() == Access.READ || route.access() == Access.WRITE);
        } catch (ApiException e) {
            return false;
        }
    }

    private static boolean hasBody(Request request) {
        return request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    }

    private Route match(String method, String path) {
        Map<String, Route> byMethod = routes.get(path);
        if (byMethod == null) {
            for (Map.Entry<String, Map<String, Route>> e : routes.entrySet()) {
                Route any = e.getValue().values().iterator().next();
                if (any.isTemplate() && !any.paramsOf(path).isEmpty()) {
                    byMethod = e.getValue();
                    break;
                }
            }
        }
        if (byMethod == null) {
            throw ApiException.notFound("no endpoint at " + path);
        }
        Route route = byMethod.get(method);
        if (route == null && method.equals("HEAD")) {
            // HEAD is GET without the body (RFC 9110): load balancers and probes ask it of /healthz.
            route = byMethod.get("GET");
        }
        if (route == null) {
            String allow = String.join(", ", new TreeSet<>(byMethod.keySet()));
            throw new ApiException(405, "method-not-allowed", "Method not allowed", method + " is not supported on "
                    + path + "; use " + allow, Map.of("Allow", allow));
        }
        return route;
    }

    private static Map<String, List<String>> query(Request request) {
        Fields fields = Request.extractQueryParameters(request);
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (String name : fields.getNames()) {
            query.put(name, new ArrayList<>(fields.getValues(name)));
        }
        return query;
    }

    private static CompletableFuture<byte[]> bodyOf(Request request, Route route) {
        if (route.method().equals("GET") || route.method().equals("HEAD")) {
            return CompletableFuture.completedFuture(new byte[0]);
        }
        long declared = request.getLength();
        int max = route.maxBody();
        if (declared > max) {
            throw new ApiException(413, "too-large", "Content too large", "request bodies may be at most "
                    + max + " bytes", Map.of());
        }
        return Content.Source.asByteArrayAsync(request, max).exceptionally(e -> {
            throw new ApiException(413, "too-large", "Content too large", "request bodies may be at most "
                    + max + " bytes (or the body could not be read)", Map.of());
        });
    }

    private CompletableFuture<ApiResponse> run(Route route, ApiRequest request) {
        if (!route.offload()) {
            return CompletableFuture.completedFuture(route.endpoint().handle(request));
        }
        try {
            return CompletableFuture.supplyAsync(() -> route.endpoint().handle(request), work);
        } catch (RejectedExecutionException e) {
            throw new ApiException(503, "overloaded", "Service unavailable",
                    "the instance is busy or stopping; try again shortly", Map.of("Retry-After", "1"));
        }
    }

    private static void fail(Response response, Callback callback, String path, Throwable failure) {
        send(response, callback, path, problemOf(path, failure));
    }

    private static ApiException problemOf(String path, Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        ApiException problem;
        if (cause instanceof ApiException api) {
            problem = api;
        } else {
            LOG.log(System.Logger.Level.ERROR, "request to " + path + " failed", cause);
            problem = new ApiException(500, "internal", "Internal server error",
                    "the instance failed to answer; its log says why", Map.of());
        }
        return problem;
    }

    private static void send(Response response, Callback callback, String path, ApiException problem) {
        send(response, callback, problem.status, ProblemJson.MEDIA_TYPE, Json.write(problem.problem(path)),
                problem.headers);
    }

    private static void send(Response response, Callback callback, int status, String contentType, byte[] body,
                             Map<String, String> headers) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        headers.forEach((name, value) -> response.getHeaders().put(name, value));
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
