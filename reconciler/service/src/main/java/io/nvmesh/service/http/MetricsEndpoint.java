package io.nvmesh.service.http;

import io.nvmesh.service.metrics.InstanceMetrics;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /metrics} for Prometheus, in front of the router: its answer is text in the format the scraper's Accept
 * header asks for, not JSON. It needs a read token, like every other read of cluster state (Prometheus sends one
 * with {@code authorization: {credentials: ...}} in its scrape config). A scrape reads counters and JMX beans, so it
 * runs on the work executor, never on a Jetty thread.
 */
final class MetricsEndpoint extends Handler.Wrapper {

    static final String PATH = "/metrics";

    private final InstanceMetrics metrics;
    private final Authenticator authenticator;
    private final Executor work;

    MetricsEndpoint(Handler next, InstanceMetrics metrics, Authenticator authenticator, Executor work) {
        super(next);
        this.metrics = metrics;
        this.authenticator = authenticator;
        this.work = work;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (!path.equals(PATH)) {
            return super.handle(request, response, callback);
        }
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        try {
            if (!request.getMethod().equals("GET")) {
                throw new ApiException(405, "method-not-allowed", "Method not allowed", request.getMethod()
                        + " is not supported on " + PATH + "; use GET", Map.of("Allow", "GET"));
            }
            authenticator.check(Access.READ, request.getHeaders().get(HttpHeader.AUTHORIZATION), request, PATH);
            CompletableFuture.supplyAsync(() -> metrics.scrape(accept), work).whenComplete((scrape, failure) -> {
                if (failure != null) {
                    EventEndpoints.problem(response, callback, PATH, new ApiException(500, "internal",
                            "Internal server error", "the metrics could not be collected: " + failure.getMessage(),
                            Map.of()));
                    return;
                }
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, scrape.contentType());
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
                response.write(true, ByteBuffer.wrap(scrape.body()), callback);
            });
        } catch (RejectedExecutionException e) {
            EventEndpoints.problem(response, callback, PATH, new ApiException(503, "overloaded",
                    "Service unavailable", "the instance is busy or stopping; try again shortly",
                    Map.of("Retry-After", "1")));
        } catch (ApiException e) {
            EventEndpoints.problem(response, callback, PATH, e);
        }
        return true;
    }
}
