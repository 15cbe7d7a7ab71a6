package io.nvmesh.service.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One endpoint: method, exact path, who may call it, and whether its work must leave the Jetty thread ({@code
 * offload}: anything that blocks on disk, Git or a lock, or computes for more than a moment).
 */
record Route(String method, String path, Access access, boolean offload, Endpoint endpoint, int maxBody) {

    @FunctionalInterface
    interface Endpoint {
        ApiResponse handle(ApiRequest request);
    }

    Route {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(endpoint, "endpoint");
        if (maxBody < 0) {
            throw new IllegalArgumentException("a body limit is not negative: " + maxBody);
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("route paths start with /: " + path);
        }
    }

    /** Whether the path has {@code {name}} segments. */
    boolean isTemplate() {
        return path.contains("{");
    }

    /**
     * The values of the path's {@code {name}} segments in a request path, empty when it does not match (or the route
     * has none).
     */
    Map<String, String> paramsOf(String requestPath) {
        if (!isTemplate()) {
            return Map.of();
        }
        String[] want = path.split("/", -1);
        String[] got = requestPath.split("/", -1);
        if (want.length != got.length) {
            return Map.of();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < want.length; i++) {
            if (want[i].startsWith("{") && want[i].endsWith("}")) {
                if (got[i].isEmpty()) {
                    return Map.of();
                }
                params.put(want[i].substring(1, want[i].length() - 1), got[i]);
            } else if (!want[i].equals(got[i])) {
                return Map.of();
            }
        }
        return params;
    }

    /**
     * The same route taking bodies up to {@code bytes} (checked after the caller is authenticated): for a peer endpoint
     * whose one request must carry more than the 64 KiB every other endpoint takes.
     */
    Route withMaxBody(int bytes) {
        return new Route(method, path, access, offload, endpoint, bytes);
    }

    static Route inline(String method, String path, Access access, Endpoint endpoint) {
        return new Route(method, path, access, false, endpoint, Router.MAX_BODY_BYTES);
    }

    static Route offloaded(String method, String path, Access access, Endpoint endpoint) {
        return new Route(method, path, access, true, endpoint, Router.MAX_BODY_BYTES);
    }
}
