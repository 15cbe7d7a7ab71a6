package io.nvmesh.cli.remote;

import io.nvmesh.api.ProblemJson;

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

import io.nvmesh.api.ProblemJson;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads from a reconciler over HTTP with {@code java.net.http}. Answers are the API's records ({@code io.nvmesh.api});
 * every failure is a {@link ServerException} with one line that says what to do.
 */
public final class ServerClient {

    /** A null list or map is empty; a null element or entry of one is left out. */
    private static final JsonSetter.Value EMPTY_SKIPPING_NULLS = JsonSetter.Value.construct(Nulls.AS_EMPTY, Nulls.SKIP);

    /** Writes what the commands print, and reads events (shown as the server sent them). */
    static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Reads answers into the API's records. A field the CLI does not know (a newer server) is ignored; a
     * missing or null one (an older server) is empty: "" for text, an empty list or map, 0 or false; a missing object
     * is null, and a null element of a list or map is left out. A field of the wrong type is an unexpected answer.
     */
    static final JsonMapper ANSWERS = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .withConfigOverride(String.class, o -> o.setNullHandling(JsonSetter.Value.forValueNulls(Nulls.AS_EMPTY)))
            .withConfigOverride(List.class, o -> o.setNullHandling(EMPTY_SKIPPING_NULLS))
            .withConfigOverride(Map.class, o -> o.setNullHandling(EMPTY_SKIPPING_NULLS))
            .build();
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

    /** {@code GET path} as the API record {@code type}. */
    public <T> T get(String path, Class<T> type) {
        byte[] body = send("GET", path);
        String unexpected = "unexpected answer from " + address.server() + path + ": ";
        T value;
        try {
            value = ANSWERS.readValue(body, type);
        } catch (DatabindException e) {
            throw new ServerException(unexpected + (e.getPath().isEmpty() ? "not a JSON object"
                    : "`" + field(e) + "` is not what the API documents"));
        } catch (JacksonException e) {
            throw new ServerException(unexpected + "not a JSON object");
        }
        if (value == null) {
            throw new ServerException(unexpected + "not a JSON object");
        }
        return value;
    }

    /** {@code members[0].epoch}: where in the answer binding failed. */
    private static String field(DatabindException e) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference r : e.getPath()) {
            if (r.getPropertyName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** {@code POST path} with no body; the answer is not read. */
    public void post(String path) {
        send("POST", path);
    }

    private byte[] send(String method, String path) {
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
        int status = r.statusCode();
        if (status == 401 || status == 403) {
            throw new ServerException("the server refused the token (" + status + "): " + detail(r.body())
                    + (address.token().isEmpty() ? "; pass --token or set NVMESH_TOKEN" : ""), status);
        }
        if (status >= 400) {
            throw new ServerException(method + " " + path + ": " + status + " " + detail(r.body()), status);
        }
        return r.body().length == 0 ? "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8) : r.body();
    }

    /** What an error answer says: its problem's detail (or title), or its text when it is not a problem. */
    static String detail(byte[] body) {
        if (body.length == 0) {
            return "";
        }
        try {
            ProblemJson p = ANSWERS.readValue(body, ProblemJson.class);
            return p == null ? "" : p.detail().isEmpty() ? p.title() : p.detail();
        } catch (JacksonException e) {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? "connection refused" : e.getMessage();
    }
}
