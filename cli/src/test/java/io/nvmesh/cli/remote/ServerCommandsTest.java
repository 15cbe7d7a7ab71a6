package io.nvmesh.cli.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.nvmesh.cli.Nvmesh;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code get}, {@code describe} and {@code status} against a stand-in HTTP server on loopback that answers as the
 * reconciler's API is documented (docs/openapi.yaml): the CLI never links the service, so neither does its test.
 */
class ServerCommandsTest {

    private static final String TOKEN = "read-token-0000000000001";
    private static final Map<String, String> ANSWERS = Map.of(
            "/v1/capacity", """
                    {"instance":"r2","consistent":true,
                     "cluster":{"total":35184372088832,"free":24189255811072,"allocated":10995116277760,
                                "data":5497558138880,"redundant":5497558138880,"withheld":0,"offline":0},
                     "domains":{"rack=r1":{"total":17592186044416,"free":12094627905536,"allocated":5497558138880,
                                           "data":2748779069440,"redundant":2748779069440,"withheld":0,"offline":0}},
                     "driveClasses":{"nvme-gen4":{"total":35184372088832,"free":24189255811072,
                                     "allocated":10995116277760,"data":5497558138880,"redundant":5497558138880,
                                     "withheld":0,"offline":1099511627776}},
                     "targets":{},"servers":{"target":{"healthy":19,"unhealthy":1},"client":{"healthy":4}},
                     "drives":{"ok":150,"failed":2},"volumes":{"online":20,"pending":1}}""",
            "/v1/volumes", """
                    {"instance":"r1","stateCommit":"75f9117aaaaaaaaa","desiredCommit":"f83bfccbbbbbbbbb","count":2,
                     "items":[{"name":"db-01","status":"online","reason":"","policy":"mirror","layout":"raid1",
                               "sizeBytes":107374182400,"segments":2,"owner":"r2"},
                              {"name":"db-02","status":"pending","reason":"no room","policy":"mirror","layout":"",
                               "sizeBytes":0,"segments":0,"owner":"r1"}]}""",
            "/v1/volumes/db-01", """
                    {"instance":"r1","stateCommit":"75f9117aaaa","name":"db-01","status":"online","reason":"",
                     "deletionProtection":true,"policy":"mirror","layout":"raid1","protection":"full",
                     "sizeBytes":107374182400,"placedBytes":107374182400,"owner":"r2",
                     "segments":[{"chunk":0,"group":0,"index":0,"role":"copy","serial":"S1","target":"t-001",
                                  "offset":0,"length":107374182400}]}""",
            "/v1/cluster", """
                    {"self":"r1","live":["r1","r2"],"members":[
                      {"id":"r1","url":"http://127.0.0.1:7420","self":true,"alive":true,"ownedKeys":1,
                       "agents":{"targets":2,"clients":1}},
                      {"id":"r2","url":"http://127.0.0.1:7421","self":false,"alive":true,"ownedKeys":1,
                       "agents":{"targets":1,"clients":0}}]}""",
            "/v1/reconcile/results", """
                    {"instance":"r1","results":[{"at":"2026-01-01T00:00:00Z","outcome":"recorded","ownedVolumes":1,
                     "millis":12,"message":"reconcile f83bfcc: 1 created"}]}""");

    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = ANSWERS.get(path);
            int status = 200;
            if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                status = 401;
                body = "{\"title\":\"Unauthorized\",\"detail\":\"the bearer token is not valid\"}";
            } else if (body == null) {
                status = 404;
                body = "{\"title\":\"Not found\",\"detail\":\"no volume " + path.substring(path.lastIndexOf('/') + 1)
                        + " is recorded\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
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

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private String[] run(int expectedExit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Nvmesh.run(new PrintWriter(out), new PrintWriter(err), args);
        assertThat(code).as("exit code; stderr: %s", err).isEqualTo(expectedExit);
        return new String[] {out.toString(), err.toString()};
    }

    @Test
    void getVolumesPrintsATableWithStatusAndReason() {
        String out = run(0, "get", "volumes", "--server", url(), "--token", TOKEN)[0];
        assertThat(out.lines()).first().asString().startsWith("NAME").contains("STATUS", "OWNER", "REASON");
        assertThat(out).contains("db-01  online   mirror  raid1   100GiB").contains("no room");
    }

    @Test
    void getCanPrintTheServersAnswerAsJsonOrYaml() {
        assertThat(run(0, "get", "volumes", "-o", "json", "--server", url(), "--token", TOKEN)[0])
                .contains("\"name\" : \"db-01\"");
        assertThat(run(0, "get", "cluster", "-o", "yaml", "--server", url(), "--token", TOKEN)[0])
                .contains("- id: r1");
    }

    @Test
    void getCapacityShowsBinaryUnitsInTheTableAndRawBytesInJson() {
        String table = run(0, "get", "capacity", "--server", url(), "--token", TOKEN)[0];
        assertThat(table.lines().findFirst().orElseThrow()).startsWith("SCOPE").contains("FREE", "ALLOCATED",
                "REDUNDANT");
        assertThat(table).contains("cluster                 32TiB  22TiB  10TiB      5TiB    5TiB       0B        0B", "domain       rack=r1",
                "domain       rack=r1    16TiB  11TiB  5TiB       2.5TiB", "drive class  nvme-gen4", "1TiB", "servers:  clients 4 healthy; targets 19 healthy, 1 unhealthy",
                "drives:   2 failed, 150 ok", "volumes:  20 online, 1 pending", "answered by r2");
        assertThat(run(0, "get", "capacity", "-o", "json", "--server", url(), "--token", TOKEN)[0])
                .contains("\"free\" : 24189255811072");
    }

    @Test
    void describeVolumeListsEverySegment() {
        String out = run(0, "describe", "volume", "db-01", "--server", url(), "--token", TOKEN)[0];
        assertThat(out).contains("Status:              online", "Owner:               r2", "t-001", "S1");
    }

    @Test
    void statusSummarisesMembersVolumesAndTheLastPass() {
        String out = run(0, "status", "--server", url(), "--token", TOKEN)[0];
        assertThat(out).contains("members:    2/2 live", "volumes:    2 {online=1, pending=1}",
                "desired:    f83bfcc reconciled", "last pass:  recorded on r1");
    }

    @Test
    void aRefusedTokenIsOneClearLine() {
        String err = run(1, "get", "volumes", "--server", url(), "--token", "wrong-token-00000000000")[1];
        assertThat(err.strip()).isEqualTo("error: the server refused the token (401): the bearer token is not valid");
    }

    @Test
    void anUnreachableServerIsOneClearLine() {
        server.stop(0);
        String err = run(1, "status", "--server", url(), "--token", TOKEN)[1];
        assertThat(err.strip()).startsWith("error: cannot reach nvmesh at " + url()).doesNotContain("\n");
    }

    @Test
    void anUnknownVolumeIsReportedAsTheServerSaysIt() {
        String err = run(1, "describe", "volume", "nope", "--server", url(), "--token", TOKEN)[1];
        assertThat(err).contains("404").contains("no volume nope is recorded");
    }
}
