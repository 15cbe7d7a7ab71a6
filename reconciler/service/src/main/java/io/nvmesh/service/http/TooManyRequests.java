package io.nvmesh.service.http;

import io.nvmesh.api.ProblemJson;
import io.nvmesh.service.metrics.RefusalCounts;

import java.nio.ByteBuffer;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The 429 of a per-source limit, as the same problem+json every other refusal is, with {@code Retry-After}, counted by
 * limit in {@link RefusalCounts#LIMIT}. Jetty's {@code DoSHandler} calls it for a request over the rate.
 */
final class TooManyRequests implements Request.Handler {

    private final String limit;
    private final String detail;
    private final int retryAfterSeconds;
    private final boolean close;
    private final RefusalCounts refusals;

    TooManyRequests(String limit, String detail, int retryAfterSeconds, boolean close, RefusalCounts refusals) {
        this.limit = limit;
        this.detail = detail;
        this.retryAfterSeconds = retryAfterSeconds;
        this.close = close;
        this.refusals = refusals;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        refusals.count(RefusalCounts.LIMIT, limit);
        ApiException problem = new ApiException(429, "too-many-requests", "Too many requests", detail, Map.of());
        response.setStatus(429);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, ProblemJson.MEDIA_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(retryAfterSeconds));
        if (close) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        byte[] body = Json.write(problem.problem(Request.getPathInContext(request)));
        response.write(true, ByteBuffer.wrap(request.getMethod().equals("HEAD") ? new byte[0] : body), callback);
        return true;
    }
}
