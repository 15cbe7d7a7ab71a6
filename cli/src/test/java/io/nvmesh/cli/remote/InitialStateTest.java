package io.nvmesh.cli.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code watch -o json} prints for the state when a watch began, line by line: the payloads are typed now
 * (records of {@code io.nvmesh.api} where they are an event's payload), and the lines are the ones the maps they
 * replaced printed. Against a stand-in HTTP server on loopback answering as docs/openapi.yaml says.
 */
class InitialStateTest {

    private static final Map<String, String> ANSWERS = Map.of(
            "/v1/volumes/db-01", """
                    {"instance":"r1","stateCommit":"75f9117","name":"db-01","status":"pending","reason":"no room",
                     "deletionProtection":true,"policy":"mirror","layout":"raid1","protection":"full",
                     "sizeBytes":107374182400,"placedBytes":0,"owner":"r2","segments":[]}""",
            "/v1/volumes", """
                    {"instance":"r1","stateCommit":"75f9117","desiredCommit":"f83bfcc","count":1,
                     "items":[{"name":"db-02","status":"online","reason":"","policy":"mirror","layout":"raid1",
                               "sizeBytes":107374182400,"segments":2,"owner":"r2"}]}""",
            "/v1/inventory", """
                    {"instance":"r1","stateCommit":"75f9117",
                     "targets":[{"id":"t-001","health":"healthy","labels":{"zone":"z1"},"drives":1,
                                 "capacity":1099511627776}],
                     "drives":[{"serial":"S1","target":"t-001","capacity":1099511627776,"health":"ok","labels":{}},
                               {"serial":"S2","target":"t-001","capacity":1099511627776,"health":"failed",
                                "labels":{}}],
                     "clients":[{"id":"app-01","labels":{"team":"payments"}}]}""");

    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String body = ANSWERS.get(exchange.getRequestURI().getPath());
            int status = body == null ? 404 : 200;
            byte[] bytes = (body == null ? "{\"title\":\"Not found\",\"detail\":\"not recorded\"}" : body)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void printsEachObjectAsItsEventsPayloadWithTheSameFieldsInTheSameOrder() {
        ServerClient client = new ServerClient(new ServerAddress(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "", "test"));
        List<String> lines = InitialState.read(client, List.of("volume/db-01", "volume/nope", "volume/*",
                "target/*", "drive/S2", "client/app-01")).stream().map(EventLines::json).toList();
        assertThat(lines).containsExactly(
                "{\"topic\":\"volume/db-01\",\"type\":\"status\",\"initial\":true,\"payload\":{\"volume\":\"db-01\","
                        + "\"status\":\"pending\",\"reason\":\"no room\",\"stateCommit\":\"75f9117\"}}",
                "{\"topic\":\"volume/nope\",\"type\":\"absent\",\"initial\":true,\"payload\":{\"volume\":\"nope\"}}",
                "{\"topic\":\"volume/db-02\",\"type\":\"status\",\"initial\":true,\"payload\":{\"volume\":\"db-02\","
                        + "\"status\":\"online\",\"reason\":\"\",\"stateCommit\":\"75f9117\"}}",
                "{\"topic\":\"target/t-001\",\"type\":\"health\",\"initial\":true,\"payload\":{\"target\":\"t-001\","
                        + "\"health\":\"healthy\"}}",
                "{\"topic\":\"drive/S2\",\"type\":\"health\",\"initial\":true,\"payload\":{\"serial\":\"S2\","
                        + "\"target\":\"t-001\",\"health\":\"failed\"}}",
                "{\"topic\":\"client/app-01\",\"type\":\"recorded\",\"initial\":true,\"payload\":{"
                        + "\"client\":\"app-01\",\"labels\":{\"team\":\"payments\"}}}");
    }
}
