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
import java.util.HashMap;
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
                       "epoch":1767225600000,"incarnations":1,"agents":{"targets":2,"clients":1}},
                      {"id":"r2","url":"http://127.0.0.1:1","self":false,"alive":true,"ownedKeys":1,
                       "epoch":1767225601000,"incarnations":2,"agents":{"targets":1,"clients":0}},
                      {"id":"r3","url":"http://127.0.0.1:1","self":false,"alive":true,"epoch":0,
                       "silentForMillis":-1},
                      {"id":"r4","url":"http://127.0.0.1:1","self":false,"alive":false,"epoch":0,
                       "silentForMillis":-1}],
                     "ownership":{"counts":{"volume":{"r1":1,"r2":1}}}}""",
            "/v1/instance", """
                    {"id":"r1","epoch":1767225600000,"uptimeMillis":312000}""",
            "/v1/reconcile/results", """
                    {"instance":"r1","results":[{"at":"2026-01-01T00:00:00Z","outcome":"recorded","ownedVolumes":1,
                     "millis":12,"message":"reconcile f83bfcc: 1 created"}]}""");

    /** What `status` is shown: small figures, a client counted by state, one failed drive. */
    private static final String STATUS_CAPACITY = """
                    {"instance":"r1","consistent":true,
                     "cluster":{"total":4000,"free":3000,"allocated":1000,"data":600,"redundant":400,"withheld":0,
                                "offline":0},
                     "servers":{"target":{"healthy":2,"unhealthy":1},"client":{"connected":1}},
                     "drives":{"ok":11,"failed":1},"volumes":{"online":1}}""";

    private final Map<String, String> answers = new HashMap<>(ANSWERS);
    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = answers.get(path);
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

    private static final String INVENTORY = """
            {"instance":"r1","stateCommit":"75f9117",
             "targets":[{"id":"t-001","health":"healthy","labels":{"zone":"z1","rack":"r1"},"drives":1,
                         "capacity":1099511627776}],
             "drives":[{"serial":"S1","target":"t-001","capacity":1099511627776,"health":"ok","labels":{}}],
             "clients":[{"id":"app-01","labels":{"team":"payments"}}]}""";

    @Test
    void everyListIsKubectlsListShapeInJsonAndYaml() {
        answers.put("/v1/inventory", INVENTORY);
        for (String kind : new String[] {"volumes", "targets", "drives", "clients"}) {
            var json = ServerClient.JSON.readTree(run(0, "get", kind, "-o", "json", "--server", url(), "--token",
                    TOKEN)[0]);
            assertThat(json.path("apiVersion").asString()).as(kind).isEqualTo("nvmesh.io/v1");
            assertThat(json.path("kind").asString()).as(kind).isEqualTo("List");
            assertThat(json.path("items").isArray()).as(kind).isTrue();
            assertThat(json.path("items").size()).as(kind).isPositive();
            assertThat(json.path("metadata").path("stateCommit").asString()).as(kind).startsWith("75f9117");
            assertThat(run(0, "get", kind, "-o", "yaml", "--server", url(), "--token", TOKEN)[0]).as(kind)
                    .startsWith("apiVersion: nvmesh.io/v1\nkind: List\n").contains("items:\n  - ");
        }
    }

    @Test
    void getKnowsSingularAndShortNamesAndOneObjectByName() {
        answers.put("/v1/inventory", INVENTORY);
        String all = run(0, "get", "volumes", "--server", url(), "--token", TOKEN)[0];
        assertThat(run(0, "get", "volume", "--server", url(), "--token", TOKEN)[0]).isEqualTo(all);
        assertThat(run(0, "get", "VOL", "--server", url(), "--token", TOKEN)[0]).isEqualTo(all);
        assertThat(run(0, "get", "tgt", "--server", url(), "--token", TOKEN)[0]).contains("t-001");
        assertThat(run(0, "get", "drv", "--server", url(), "--token", TOKEN)[0]).contains("S1");
        assertThat(run(0, "get", "client", "--server", url(), "--token", TOKEN)[0]).contains("app-01");
        assertThat(run(0, "get", "cap", "--server", url(), "--token", TOKEN)[0]).startsWith("SCOPE");

        String one = run(0, "get", "volume", "db-02", "--server", url(), "--token", TOKEN)[0];
        assertThat(one).contains("db-02").doesNotContain("db-01");
        assertThat(ServerClient.JSON.readTree(run(0, "get", "vol", "db-01", "-o", "json", "--server", url(),
                "--token", TOKEN)[0]).path("name").asString()).isEqualTo("db-01");
        assertThat(run(1, "get", "volume", "nope", "--server", url(), "--token", TOKEN)[1])
                .startsWith("error: no volume nope is recorded");
        String unknown = run(2, "get", "pods", "--server", url(), "--token", TOKEN)[1];
        assertThat(unknown).contains("unknown kind 'pods'", "volumes (volume, vol)", "targets (target, tgt)");
    }

    @Test
    void describeCanPrintTheVolumeAsJsonOrYaml() {
        String json = run(0, "describe", "volume", "db-01", "-o", "json", "--server", url(), "--token", TOKEN)[0];
        assertThat(ServerClient.JSON.readTree(json).path("segments").get(0).path("serial").asString())
                .isEqualTo("S1");
        assertThat(run(0, "describe", "vol", "db-01", "-o", "yaml", "--server", url(), "--token", TOKEN)[0])
                .contains("name: db-01", "status: online", "segments:");
    }

    @Test
    void describeOfAPendingVolumeShowsWhatItAsksForAndWhy() {
        answers.put("/v1/volumes/db-02", """
                {"instance":"r1","stateCommit":"75f9117aaaa","name":"db-02","status":"pending",
                 "reason":"no room: 2 targets in distinct racks have 100GiB free, 512GiB asked",
                 "deletionProtection":true,"policy":"mirror","layout":"raid1","protection":"full",
                 "sizeBytes":0,"placedBytes":0,"requested":"512GiB","owner":"r1","segments":[]}""");

        String out = run(0, "describe", "volume", "db-02", "--server", url(), "--token", TOKEN)[0];

        assertThat(out).contains("Status:              pending", "Reason:              no room: 2 targets",
                "Policy:              mirror", "Layout:              raid1, protection full",
                "Size:                512GiB asked, not placed yet", "Segments:            0")
                .doesNotContain("0B");
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
    void aFailedVolumeShowsItsStatusAndWhyInGetAndDescribe() {
        String reason = "data lost: chunk 0 group 0 has no surviving copy (drive S-12 failed); recreate it empty by"
                + " adding the annotation nvmesh.io/accept-data-loss: S-12 to volume cc";
        answers.put("/v1/volumes", """
                {"instance":"r1","stateCommit":"75f9117aaaaaaaaa","desiredCommit":"f83bfccbbbbbbbbb","count":1,
                 "items":[{"name":"cc","status":"failed","reason":"%s","policy":"scratch",
                           "layout":"concatenated","sizeBytes":10737418240,"segments":1,"owner":"r1"}]}"""
                .formatted(reason));
        answers.put("/v1/volumes/cc", """
                {"instance":"r1","stateCommit":"75f9117aaaa","name":"cc","status":"failed","reason":"%s",
                 "deletionProtection":false,"policy":"scratch","layout":"concatenated","protection":"full",
                 "sizeBytes":10737418240,"placedBytes":10737418240,"owner":"r1",
                 "segments":[{"chunk":0,"group":0,"index":0,"role":"data","serial":"S-12","target":"t-001",
                              "offset":0,"length":10737418240}]}""".formatted(reason));

        assertThat(run(0, "get", "volumes", "--server", url(), "--token", TOKEN)[0])
                .contains("cc    failed  scratch  concatenated  10GiB").contains(reason);
        assertThat(run(0, "describe", "volume", "cc", "--server", url(), "--token", TOKEN)[0])
                .contains("Status:              failed", "Reason:              " + reason, "S-12");
    }

    @Test
    void describeNamesDrivesThatStripesOfAChunkShare() {
        answers.put("/v1/volumes/scratch", """
                {"instance":"r1","stateCommit":"75f9117aaaa","name":"scratch","status":"online","reason":"",
                 "deletionProtection":false,"policy":"stripe","layout":"raid0","protection":"full",
                 "sizeBytes":2147483648,"placedBytes":2147483648,"owner":"r1",
                 "segments":[{"chunk":0,"group":0,"index":0,"role":"data","serial":"S1","target":"t-001",
                              "offset":0,"length":1073741824},
                             {"chunk":0,"group":1,"index":0,"role":"data","serial":"S1","target":"t-001",
                              "offset":1073741824,"length":1073741824}]}""");

        String out = run(0, "describe", "volume", "scratch", "--server", url(), "--token", TOKEN)[0];

        assertThat(out).contains("Shared drives:       chunk 0: stripes 0, 1 share drive S1 (these stripes do not"
                + " work in parallel; nvmesh fsck says whether the policy allows it)");
        assertThat(run(0, "describe", "volume", "db-01", "--server", url(), "--token", TOKEN)[0])
                .doesNotContain("Shared drives");
    }

    @Test
    void aGrowingVolumeReadsOnlineExtendingInGetAndDescribe() {
        answers.put("/v1/volumes", """
                {"instance":"r1","stateCommit":"75f9117aaaaaaaaa","desiredCommit":"f83bfccbbbbbbbbb","count":1,
                 "items":[{"name":"db-01","status":"extending","reason":"8 new segment(s) not served yet by their targets",
                           "policy":"mirror","layout":"raid1","sizeBytes":214748364800,"segments":10,"owner":"r2"}]}""");
        answers.put("/v1/volumes/db-01", ANSWERS.get("/v1/volumes/db-01").replace("\"status\":\"online\",\"reason\":\"\"",
                "\"status\":\"extending\",\"reason\":\"8 new segment(s) not served yet by their targets\""));

        assertThat(run(0, "get", "volumes", "--server", url(), "--token", TOKEN)[0])
                .contains("db-01  online (extending)  mirror", "  8 new segment(s) not served yet by their targets");
        assertThat(run(0, "describe", "volume", "db-01", "--server", url(), "--token", TOKEN)[0])
                .contains("Status:              online (extending)",
                        "Reason:              8 new segment(s) not served yet by their targets");
        assertThat(run(0, "get", "volumes", "-o", "json", "--server", url(), "--token", TOKEN)[0])
                .as("scripts see the wire word").contains("\"status\" : \"extending\"");
    }

    @Test
    void describeVolumeListsEverySegment() {
        String out = run(0, "describe", "volume", "db-01", "--server", url(), "--token", TOKEN)[0];
        assertThat(out).contains("Status:              online", "Owner:               r2", "t-001", "S1");
    }

    @Test
    void statusShowsMembersBalanceHealthCapacityAndLastPassOnOneScreen() {
        answers.put("/v1/capacity", STATUS_CAPACITY);
        String out = run(0, "status", "--server", url(), "--token", TOKEN)[0];
        assertThat(out).contains("3/4 members live; r1 answered at " + url())
                // r3 is counted live by r1's start-up grace but was never heard from; r4 never was and is dead.
                .containsPattern("(?m)^r3\\s+presumed\\s+-\\s+-\\s+0\\s+0\\s+0\\s+0\\s+-")
                .containsPattern("(?m)^r4\\s+no \\(silent always\\)\\s+-\\s+-\\s+0\\s+-")
                .containsPattern("r1 \\*\\s+yes\\s+2026-01-01 00:00:00\\s+5m12s\\s+0\\s+2\\s+1\\s+1\\s+recorded")
                .contains("balance   nodes 4, max/avg 2.25 (r1 3, r2 1, r3 0); volumes 2, max/avg 1.50 (r1 1, r2 1, r3 0)")
                .contains("health    clients 1 (connected 1); targets 3 (healthy 2, unhealthy 1); "
                        + "drives 12 (failed 1, ok 11)  [counters]")
                .contains("volumes   2 (online 1, pending 1)  [recorded state, state 75f9117, desired f83bfcc]")
                .contains("capacity  2.9KiB free of 3.9KiB (75.0% free); allocated 1000B, of which redundant 400B")
                // The second member's URL answers nothing: a problem on the screen, not a failure.
                .contains("problem   r2: cannot reach nvmesh at http://127.0.0.1:1 (connection refused)\n");
        assertThat(out.lines().count()).isLessThanOrEqualTo(24);
    }

    @Test
    void statusAsYamlCarriesTheSameFields() {
        answers.put("/v1/capacity", STATUS_CAPACITY);
        String out = run(0, "status", "-o", "yaml", "--server", url(), "--token", TOKEN)[0];
        assertThat(out).contains("formatVersion: 1", "answering: r1", "maxOverAverage: 2.25", "outcome: recorded");
    }

    @Test
    void statusAsJsonCarriesAFormatVersion() {
        answers.put("/v1/capacity", STATUS_CAPACITY);
        String out = run(0, "status", "-o", "json", "--server", url(), "--token", TOKEN)[0];
        assertThat(out).contains("\"formatVersion\" : 1", "\"maxOverAverage\" : 2.25", "\"percentFree\" : 75.0",
                "\"outcome\" : \"recorded\"");
    }

    /** Three targets as recorded: one with a failed and a cordoned drive, one unhealthy, one fine. */
    private static final String INVENTORY_WITH_A_FAILED_DRIVE = """
            {"instance":"r1","stateCommit":"75f9117","targets":[
              {"id":"t-001","health":"healthy","overallHealth":"healthy","overallReason":"","labels":{"rack":"r1"},
               "drives":2,"capacity":2000},
              {"id":"t-002","health":"healthy","overallHealth":"degraded","overallReason":"1 drive failed, 1 cordoned",
               "labels":{"rack":"r2"},"drives":4,"capacity":4000},
              {"id":"t-003","health":"unhealthy","overallHealth":"unhealthy","overallReason":"",
               "labels":{"rack":"r3"},"drives":6,"capacity":6000}],
             "drives":[],"clients":[]}""";

    @Test
    void aTargetWithAFailedDriveReadsDegradedInGetTargetsAndStatus() {
        answers.put("/v1/inventory", INVENTORY_WITH_A_FAILED_DRIVE);
        answers.put("/v1/capacity", STATUS_CAPACITY);

        String table = run(0, "get", "targets", "--server", url(), "--token", TOKEN)[0];
        assertThat(table).containsPattern("(?m)^t-002\\s+degraded: 1 drive failed, 1 cordoned\\s+4\\s+")
                .containsPattern("(?m)^t-001\\s+healthy\\s+2\\s+").containsPattern("(?m)^t-003\\s+unhealthy\\s+6\\s+");

        String status = run(0, "status", "--server", url(), "--token", TOKEN)[0];
        // The counters count targets by their own health only (2 healthy): the targets line says what people mean.
        assertThat(status).contains("health    clients 1 (connected 1); drives 12 (failed 1, ok 11)  [counters]")
                .contains("targets   3 (degraded 1, healthy 1, unhealthy 1): t-003 unhealthy; "
                        + "t-002 degraded: 1 drive failed, 1 cordoned  [recorded state]")
                .doesNotContain("targets 3 (healthy 2, unhealthy 1)");
        assertThat(run(0, "status", "-o", "json", "--server", url(), "--token", TOKEN)[0])
                .contains("\"affectedTargets\" : [ \"t-003 unhealthy\", \"t-002 degraded: 1 drive failed, 1 cordoned\" ]");
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
    void aNewerServersExtraFieldsAreIgnoredAndAnOlderServersMissingOnesAreEmpty() {
        answers.put("/v1/volumes", """
                {"instance":"r1","stateCommit":"75f9117aaaaaaaaa","apiRevision":7,"shards":[{"id":1}],
                 "items":[{"name":"db-01","status":"online","policy":"mirror","layout":"raid1","tier":"gold",
                           "sizeBytes":107374182400,"segments":2,"owner":"r2","reason":null},null]}""");

        assertThat(run(0, "get", "volumes", "--server", url(), "--token", TOKEN)[0])
                .contains("db-01  online  mirror  raid1   100GiB  2         r2");
        assertThat(run(0, "status", "--server", url(), "--token", TOKEN)[0])
                .contains("volumes   1 (online 1)  [recorded state, state 75f9117, desired not reconciled yet]");
    }

    @Test
    void aMalformedAnswerIsOneClearLine() {
        answers.put("/v1/volumes", "[1, 2]");
        answers.put("/v1/cluster", ANSWERS.get("/v1/cluster").replace("\"epoch\":1767225601000",
                "\"epoch\":\"yesterday\""));
        answers.put("/v1/capacity", "<html>busy</html>");

        String notAnObject = run(1, "get", "volumes", "--server", url(), "--token", TOKEN)[1];
        String wrongType = run(1, "status", "--server", url(), "--token", TOKEN)[1];
        String notJson = run(1, "get", "capacity", "--server", url(), "--token", TOKEN)[1];

        assertThat(notAnObject).isEqualTo("error: unexpected answer from " + url() + "/v1/volumes: not a JSON object\n");
        assertThat(wrongType).isEqualTo("error: unexpected answer from " + url()
                + "/v1/cluster: `members[1].epoch` is not what the API documents\n");
        assertThat(notJson).isEqualTo("error: unexpected answer from " + url() + "/v1/capacity: not a JSON object\n");
    }

    @Test
    void anUnknownVolumeIsReportedAsTheServerSaysIt() {
        String err = run(1, "describe", "volume", "nope", "--server", url(), "--token", TOKEN)[1];
        assertThat(err).contains("404").contains("no volume nope is recorded");
    }
    /** ESC [ 31 m (red), ESC ] 0 ; (set the window title), C1 CSI, DEL and a right-to-left override, JSON-escaped. */
    private static final String HOSTILE = "\\u001b[31mred\\u001b]0;pwned\\u0007\\u009b2J\\u007f\\u202etxt.exe";

    /** What a reader must never receive raw from a server: C0 (but newline), DEL, C1 and bidirectional controls. */
    private static void assertNoControlCharacters(String printed) {
        assertThat(printed.chars().filter(c -> (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f) || c == 0x202e))
                .as("control characters in %s", printed).isEmpty();
    }

    @Test
    void whatServersSayIsPrintedWithItsControlCharactersEscaped() {
        answers.put("/v1/volumes", """
                {"instance":"r1","stateCommit":"75f9117aaaaaaaaa","desiredCommit":"f83bfccbbbbbbbbb","count":1,
                 "items":[{"name":"%1$s","status":"pending","reason":"%1$s","policy":"mirror","layout":"",
                           "sizeBytes":0,"segments":0,"owner":"%1$s"}]}""".formatted(HOSTILE));
        answers.put("/v1/inventory", """
                {"instance":"r1","stateCommit":"75f9117","targets":[{"id":"%1$s","health":"healthy",
                 "labels":{"zone":"%1$s","rack":"r"},"drives":1,"capacity":1}],
                 "drives":[{"serial":"%1$s","target":"t","capacity":1,"health":"ok","labels":{"model":"%1$s"}}],
                 "clients":[{"id":"c","labels":{"%1$s":"%1$s"}}]}""".formatted(HOSTILE));
        answers.put("/v1/volumes/db-01", ANSWERS.get("/v1/volumes/db-01").replace("\"S1\"", "\"" + HOSTILE + "\"")
                .replace("\"reason\":\"\"", "\"reason\":\"" + HOSTILE + "\""));
        answers.put("/v1/cluster", ANSWERS.get("/v1/cluster").replace("\"r4\"", "\"" + HOSTILE + "\""));

        String table = run(0, "get", "volumes", "--server", url(), "--token", TOKEN)[0];
        assertNoControlCharacters(table);
        assertThat(table).contains("\\u001b[31mred\\u001b]0;pwned\\u0007\\u009b2J\\u007f\\u202etxt.exe");
        for (String kind : new String[] {"targets", "drives", "clients", "cluster"}) {
            assertNoControlCharacters(run(0, "get", kind, "--server", url(), "--token", TOKEN)[0]);
        }
        assertNoControlCharacters(run(0, "describe", "volume", "db-01", "--server", url(), "--token", TOKEN)[0]);
        assertNoControlCharacters(run(0, "status", "--server", url(), "--token", TOKEN)[0]);
        assertNoControlCharacters(run(0, "get", "targets", "-o", "yaml", "--server", url(), "--token", TOKEN)[0]);

        String json = run(0, "get", "volumes", "-o", "json", "--server", url(), "--token", TOKEN)[0];
        assertNoControlCharacters(json);
        // Still JSON, and the same value once parsed: the escapes are JSON's own.
        assertThat(ServerClient.JSON.readTree(json).get("items").get(0).get("name").asString())
                .isEqualTo("\u001b[31mred\u001b]0;pwned\u0007\u009b2J\u007f\u202etxt.exe");
    }

    @Test
    void aServersProblemIsQuotedWithItsControlCharactersEscaped() {
        server.createContext("/v1/volumes/evil", exchange -> {
            byte[] bytes = ("{\"title\":\"Not found\",\"detail\":\"no volume " + HOSTILE + " is recorded\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(404, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });

        String err = run(1, "describe", "volume", "evil", "--server", url(), "--token", TOKEN)[1];

        assertNoControlCharacters(err);
        assertThat(err).contains("no volume \\u001b[31mred");
    }
}
