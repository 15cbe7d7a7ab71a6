package io.nvmesh.service.http;

import java.util.Objects;

/**
 * One endpoint: method, exact path, who may call it, and whether its work must leave the Jetty thread ({@code
 * offload}: anything that blocks on disk, Git or a lock, or computes for more than a moment).
 */
record Route(String method, String path, Access access, boolean offload, Endpoint endpoint) {

    @FunctionalInterface
    interface Endpoint {
        ApiResponse handle(ApiRequest request);
    }

    Route {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(endpoint, "endpoint");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("route paths start with /: " + path);
        }
    }

    static Route inline(String method, String path, Access access, Endpoint endpoint) {
        return new Route(method, path, access, false, endpoint);
    }

    static Route offloaded(String method, String path, Access access, Endpoint endpoint) {
        return new Route(method, path, access, true, endpoint);
    }
}
