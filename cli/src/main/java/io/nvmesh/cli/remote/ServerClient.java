package io.nvmesh.cli.remote;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads from a reconciler over HTTP with {@code java.net.http}. Answers are plain Java values (maps, lists, strings,
 * numbers, booleans); every failure is a {@link ServerException} with one line that says what to do.
 */
public final class ServerClient {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ServerAddress address;
    private final HttpClient http;

    public ServerClient(ServerAddress address) {
        this.address = address;
        this.http = tlsBuilder(address).connectTimeout(Duration.ofSeconds(3)).build();
    }

    /** The address's TLS files as an HTTP client builder; a file that does not read is one line, exit 1. */
    static HttpClient.Builder tlsBuilder(ServerAddress address) {
        try {
            return address.tls().builder();
        } catch (IllegalArgumentException e) {
            throw new ServerException(e.getMessage());
        }
    }

    public ServerAddress address() {
        return address;
    }

    /** {@code GET path} as a JSON object. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> get(String path) {
        Object body = send("GET", path);
        if (!(body instanceof Map)) {
            throw new ServerException("unexpected answer from " + address.server() + path + ": not a JSON object");
        }
        return (Map<String, Object>) body;
    }

    /** {@code POST path} with no body. */
    public Object post(String path) {
        return send("POST", path);
    }

    private Object send(String method, String path) {
        URI uri = URI.create(address.server() + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json")
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (!address.token().isEmpty()) {
            b.header("Authorization", "Bearer " + address.token());
        }
        HttpResponse<byte[]> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new ServerException("cannot reach nvmesh at " + address.server() + " (" + describe(e)
                    + "); is it running? 'nvmesh demo' starts one, --server or NVMESH_SERVER names another");
        } catch (HttpTimeoutException e) {
            throw new ServerException(address.server() + " did not answer " + method + " " + path + " within "
                    + TIMEOUT.toSeconds() + "s");
        } catch (javax.net.ssl.SSLException e) {
            throw new ServerException("TLS with " + address.server() + " failed: " + describe(e) + (address.tls()
                    .cacert().isEmpty() ? "; --cacert (or NVMESH_CACERT) names the CA that signed its certificate"
                    : ""));
        } catch (IOException e) {
            throw new ServerException("cannot reach nvmesh at " + address.server() + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerException("interrupted");
        }
        Object body = parse(r.body());
        int status = r.statusCode();
        if (status == 401 || status == 403) {
            throw new ServerException("the server refused the token (" + status + "): " + detail(body)
                    + (address.token().isEmpty() ? "; pass --token or set NVMESH_TOKEN" : ""), status);
        }
        if (status >= 400) {
            throw new ServerException(method + " " + path + ": " + status + " " + detail(body), status);
        }
        return body;
    }

    static Object parse(byte[] bytes) {
        if (bytes.length == 0) {
            return Map.of();
        }
        try {
            return JSON.readValue(bytes, Object.class);
        } catch (JacksonException e) {
            return Map.of("detail", new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip());
        }
    }

    static String detail(Object body) {
        if (body instanceof Map<?, ?> m) {
            Object d = m.get("detail");
            if (d == null) {
                d = m.get("title");
            }
            return d == null ? "" : d.toString();
        }
        return body instanceof List ? "" : String.valueOf(body);
    }

    private static String describe(Exception e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? "connection refused" : e.getMessage();
    }
}
