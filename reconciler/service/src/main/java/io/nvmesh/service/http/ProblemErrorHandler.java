package io.nvmesh.service.http;

import io.nvmesh.api.ProblemJson;

import java.nio.ByteBuffer;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the errors Jetty raises before the {@link Router} runs (a malformed or ambiguous URI, a URI or header block
 * too large, a broken request) as the same {@code application/problem+json} the router gives, instead of Jetty's HTML
 * page: a client parses one error shape, and nothing of the server's internals (stack, version) is shown.
 */
final class ProblemErrorHandler extends ErrorHandler {

    /** Slugs for the statuses Jetty raises itself; any other becomes {@code http-<status>}. */
    private static final Map<Integer, String> TYPES = Map.of(
            400, "bad-request",
            404, "not-found",
            405, "method-not-allowed",
            413, "too-large",
            414, "uri-too-long",
            429, "too-many-requests",
            431, "headers-too-large",
            500, "internal",
            501, "not-implemented",
            505, "http-version-not-supported");

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        if (request.getAttribute(ERROR_STATUS) instanceof Integer s) {
            status = s;
        }
        if (status < 400) {
            status = 500;
        }
        String title = HttpStatus.getMessage(status);
        // Jetty's message names what was wrong with the request ("Ambiguous URI path segment"); a failure of ours
        // (5xx) keeps its cause in the log, never in the answer.
        String detail = request.getAttribute(ERROR_MESSAGE) instanceof String m && !m.isBlank() && status < 500
                ? m : title;
        ApiException problem = new ApiException(status, TYPES.getOrDefault(status, "http-" + status), title, detail,
                Map.of());
        String instance;
        try {
            instance = request.getHttpURI().getPath();
        } catch (RuntimeException e) {
            instance = null;
        }
        response.setStatus(status);
        if (status == 429 && !response.getHeaders().contains(HttpHeader.RETRY_AFTER)) {
            // A client told "too many" without "when" retries at once.
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, ProblemJson.MEDIA_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        byte[] body = Json.write(problem.problem(instance));
        response.write(true, request.getMethod().equals("HEAD") ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body),
                callback);
        return true;
    }
}
