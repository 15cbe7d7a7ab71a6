package io.nvmesh.service.http;

import io.nvmesh.api.ProblemJson;

import java.util.Map;

/**
 * A request that ends in an RFC 9457 problem. {@code type} is a short slug turned into the problem's type URI
 * ({@code urn:nvmesh:problem:<slug>}); {@code headers} are added to the response (e.g. {@code WWW-Authenticate}).
 */
final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;
    final String type;
    final String title;
    final transient Map<String, String> headers;

    ApiException(int status, String type, String title, String detail, Map<String, String> headers) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.headers = Map.copyOf(headers);
    }

    static ApiException badRequest(String detail) {
        return new ApiException(400, "bad-request", "Bad request", detail, Map.of());
    }

    /**
     * 403 for a caller that claims to be someone it is not (a heartbeat, counter entry, event or hello of another
     * instance or node): its credential is valid, but not for what the message says.
     */
    static ApiException notYourId(io.nvmesh.service.auth.Caller caller, String what) {
        return new ApiException(403, "not-your-id", "Forbidden", caller + " may not " + what, Map.of());
    }

    static ApiException notFound(String detail) {
        return new ApiException(404, "not-found", "Not found", detail, Map.of());
    }

    static ApiException conflict(String type, String title, String detail) {
        return new ApiException(409, type, title, detail, Map.of());
    }

    ProblemJson problem(String instance) {
        return new ProblemJson("urn:nvmesh:problem:" + type, title, status, getMessage(), instance);
    }
}
