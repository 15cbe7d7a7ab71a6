package io.nvmesh.service.http;

import io.nvmesh.service.auth.Caller;

import java.util.List;
import java.util.Map;

/**
 * What an endpoint sees of a request: no Jetty types, the body already read, and the authenticated caller (whom the
 * endpoint compares with what the body claims).
 */
record ApiRequest(String method, String path, Map<String, List<String>> query, byte[] body,
                  Map<String, String> pathParams, Caller caller) {

    ApiRequest {
        query = Map.copyOf(query);
        pathParams = Map.copyOf(pathParams);
        java.util.Objects.requireNonNull(caller, "caller");
    }

    ApiRequest(String method, String path, Map<String, List<String>> query, byte[] body) {
        this(method, path, query, body, Map.of(), Caller.ANONYMOUS);
    }

    /** A {@code {name}} segment of the route's path. */
    String pathParam(String name) {
        String v = pathParams.get(name);
        if (v == null) {
            throw new IllegalStateException("route has no path parameter " + name);
        }
        return v;
    }

    /** The single value of an optional query parameter. */
    java.util.Optional<String> optionalParam(String name) {
        List<String> values = query.getOrDefault(name, List.of());
        if (values.size() > 1) {
            throw ApiException.badRequest("query parameter `" + name + "` may be given only once");
        }
        return values.isEmpty() || values.get(0).isBlank() ? java.util.Optional.empty()
                : java.util.Optional.of(values.get(0));
    }

    /** The single value of a query parameter; 400 when it is missing or given twice. */
    String requiredParam(String name) {
        List<String> values = query.getOrDefault(name, List.of());
        if (values.isEmpty() || values.get(0).isBlank()) {
            throw ApiException.badRequest("query parameter `" + name + "` is required");
        }
        if (values.size() > 1) {
            throw ApiException.badRequest("query parameter `" + name + "` may be given only once");
        }
        return values.get(0);
    }

    List<String> params(String name) {
        return query.getOrDefault(name, List.of());
    }
}
