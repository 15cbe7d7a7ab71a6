package io.nvmesh.service.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.TargetHealth;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The JSON shapes documented in docs/agent-protocol.md. */
class AgentCodecTest {

    private static final Drive DRIVE = new Drive("S6EUNS0W123456", 3_840_755_982_336L, DriveHealth.OK,
            Map.of("model", "Samsung-PM9A3-3.84TB", "media", "tlc", "gen", "4"));

    @Test
    void helloIsWrittenWithItsTypeFirstAndLowerCaseEnums() {
        String json = AgentCodec.encode(new AgentMessage.Hello(List.of(1), "t-001", NodeKind.TARGET,
                Map.of("rack", "rack-a01", "zone", "zone-a"), List.of(DRIVE)));

        assertThat(json).isEqualTo("{\"type\":\"hello\",\"protocols\":[1],\"nodeId\":\"t-001\",\"kind\":\"target\","
                + "\"labels\":{\"rack\":\"rack-a01\",\"zone\":\"zone-a\"},\"drives\":[{\"serial\":\"S6EUNS0W123456\","
                + "\"capacity\":3840755982336,\"health\":\"ok\",\"labels\":{\"gen\":\"4\",\"media\":\"tlc\","
                + "\"model\":\"Samsung-PM9A3-3.84TB\"}}]}");
    }

    @Test
    void everyMessageSurvivesARoundTrip() {
        List<AgentMessage> all = List.of(
                new AgentMessage.Hello(List.of(1, 2), "c-001", NodeKind.CLIENT, Map.of("zone", "zone-b"), List.of()),
                new AgentMessage.Welcome(1, "t-001", "r2", 1000),
                new AgentMessage.Welcome(1, "t-001", "r2", 1000, "r3", "http://127.0.0.1:7422"),
                new AgentMessage.Redirect("t-001", "r3", "http://127.0.0.1:7422"),
                new AgentMessage.Report(7, TargetHealth.HEALTHY, List.of(DRIVE.withHealth(DriveHealth.FAILED)),
                        new Performance(180_000, 60_000, 2_949_120_000L, 1_966_080_000L, 95, 610)),
                new AgentMessage.Command(3, List.of(new SegmentLayout("db-01", 0, DRIVE.serial(), 0, 1L << 30)),
                        List.of()),
                new AgentMessage.Command(4, List.of(), List.of(new Attachment("db-01",
                        "nqn.2024-01.io.nvmesh:db-01", 1L << 40, List.of("t-001", "t-002"), false))),
                new AgentMessage.Ack(3, false, "drive S6EUNS0W123456 is failed"));

        for (AgentMessage m : all) {
            assertThat(AgentCodec.decode(AgentCodec.encode(m))).isEqualTo(m);
        }
    }

    @Test
    void aWelcomeWithoutSuccessorIsWrittenAsBefore() {
        // An agent of an older release reads the successor as an unknown field; without one the text is unchanged.
        assertThat(AgentCodec.encode(new AgentMessage.Welcome(1, "t-001", "r2", 1000)))
                .isEqualTo("{\"type\":\"welcome\",\"protocol\":1,\"nodeId\":\"t-001\",\"owner\":\"r2\","
                        + "\"reportIntervalMillis\":1000}");
        assertThat(AgentCodec.encode(new AgentMessage.Welcome(1, "t-001", "r2", 1000, "r3", "http://10.0.0.13:7420")))
                .endsWith(",\"reportIntervalMillis\":1000,\"successor\":\"r3\",\"successorUrl\":\"http://10.0.0.13:7420\"}");
    }

    @Test
    void unknownFieldsAreIgnoredAndEnumsReadInAnyCase() {
        AgentMessage m = AgentCodec.decode("{\"type\":\"welcome\",\"protocol\":1,\"nodeId\":\"t-001\",\"owner\":\"r1\","
                + "\"reportIntervalMillis\":500,\"addedInVersion1_1\":true}");
        assertThat(m).isEqualTo(new AgentMessage.Welcome(1, "t-001", "r1", 500));
        assertThat(AgentCodec.decode("{\"type\":\"hello\",\"protocols\":[1],\"nodeId\":\"c-1\",\"kind\":\"CLIENT\"}"))
                .isEqualTo(new AgentMessage.Hello(List.of(1), "c-1", NodeKind.CLIENT, Map.of(), List.of()));
    }

    @Test
    void badMessagesAreRefusedWithAReason() {
        assertThatThrownBy(() -> AgentCodec.decode("{nope")).isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> AgentCodec.decode("[1]")).hasMessage("a message is a JSON object");
        assertThatThrownBy(() -> AgentCodec.decode("{\"type\":\"gossip\"}"))
                .hasMessage("unknown message type `gossip`");
        assertThatThrownBy(() -> AgentCodec.decode("{\"type\":\"hello\",\"protocols\":[1],\"nodeId\":\"T 1\","
                + "\"kind\":\"target\"}")).isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("invalid hello: nodeId: must be 1-63 lower-case letters");
        assertThatThrownBy(() -> AgentCodec.decode("{\"type\":\"hello\",\"protocols\":[1],\"nodeId\":\"c-1\","
                + "\"kind\":\"client\",\"drives\":[{\"serial\":\"X\",\"capacity\":1,\"health\":\"ok\"}]}"))
                .hasMessageContaining("client c-1 cannot report drives");
    }

    /** Which of two {@code type}s or {@code seq}s counts must not be up to the reader: found by a property. */
    @Test
    void aMessageWithADuplicateKeyIsRefused() {
        assertThatThrownBy(() -> AgentCodec.decode("{\"type\":\"welcome\",\"type\":\"hello\",\"protocol\":1,"
                + "\"nodeId\":\"t-001\",\"owner\":\"r2\",\"reportIntervalMillis\":1000}"))
                .isInstanceOf(ProtocolException.class).hasMessageStartingWith("not JSON").hasMessageContaining("type");
        assertThatThrownBy(() -> AgentCodec.decode("{\"type\":\"ack\",\"seq\":1,\"seq\":2,\"ok\":true}"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("seq");
    }

    private static String hello(String drives, String labels) {
        return "{\"type\":\"hello\",\"protocols\":[1],\"nodeId\":\"t-1\",\"kind\":\"target\",\"labels\":"
                + labels + ",\"drives\":" + drives + "}";
    }

    private static String drive(String serial, String extra) {
        return "{\"serial\":\"" + serial + "\",\"capacity\":1000,\"health\":\"ok\"" + extra + "}";
    }

    /** The same rules as manifests and inventory files; each refusal names the field and never echoes the value. */
    @Test
    void helloAndReportFieldsFollowTheManifestRules() {
        String ok = drive("S1", "");
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put(hello("[" + drive("<b>x</b>", "") + "]", "{}"), "invalid hello: drives[0].serial: not a serial");
        refused.put(hello("[" + ok + "," + drive("S1", "") + "]", "{}"), "invalid hello: drives[1].serial: drive S1 is listed twice");
        refused.put(hello("[" + "{\"serial\":\"S2\",\"capacity\":-1,\"health\":\"ok\"}" + "]", "{}"), "invalid hello: drives[0]: drive S2: negative");
        refused.put(hello("[" + "{\"serial\":\"S2\",\"capacity\":" + (1L << 51) + ",\"health\":\"ok\"}" + "]", "{}"), "invalid hello: drives[0].capacity: above");
        refused.put(hello("[" + "{\"serial\":\"S2\",\"capacity\":1000,\"health\":\"<i>\"}" + "]", "{}"), "invalid hello: drives[0].health: wrong type or value");
        refused.put(hello("[" + drive("S2", ",\"labels\":{\"model\":\"Samsung PM9A3\"}") + "]", "{}"), "invalid hello: drives[0].labels.model: not a label value");
        refused.put(hello("[]", "{\"rack\":\"<script>\"}"), "invalid hello: labels.rack: not a label value");
        refused.put(hello("[]", "{\"<script>\":\"a\"}"), "invalid hello: labels: a key is not a label key");
        refused.put(hello("[]", "{\"rack\":\"" + "a".repeat(64) + "\"}"), "invalid hello: labels.rack: not a label value");
        refused.put(hello("[]", "{\"" + "k".repeat(64) + "\":\"a\"}"), "invalid hello: labels: a key is not a label key");
        refused.put("{\"type\":\"hello\",\"protocols\":[],\"nodeId\":\"t-1\",\"kind\":\"target\"}", "invalid hello: protocols:");
        refused.put("{\"type\":\"hello\",\"protocols\":[1],\"nodeId\":\"t-1\"}", "invalid hello: kind:");
        refused.put("{\"type\":\"report\",\"seq\":1,\"health\":\"healthy\",\"drives\":[" + drive("S 1", "") + "]}", "invalid report: drives[0].serial: not a serial");
        refused.put("{\"type\":\"report\",\"seq\":1,\"health\":\"sick\"}", "invalid report: health: wrong type or value");
        refused.put("{\"type\":\"report\",\"seq\":-1,\"health\":\"healthy\"}", "invalid report: seq:");
        refused.put("{\"type\":\"report\",\"seq\":1,\"health\":\"healthy\",\"performance\":{\"readIops\":-5,"
                + "\"writeIops\":0,\"readBytesPerSecond\":0,\"writeBytesPerSecond\":0,\"latencyP50Micros\":0,"
                + "\"latencyP99Micros\":0}}", "invalid report: performance: readIops: must be 0 to 2^53");
        refused.put("{\"type\":\"ack\",\"seq\":1,\"ok\":false,\"message\":\"\\u001b[2Jgone\"}", "invalid ack: message: control or formatting character at 0");
        refused.put("{\"type\":\"ack\",\"seq\":1,\"ok\":false,\"message\":\"" + "x".repeat(257) + "\"}", "invalid ack: message: 257 characters, at most 256");
        refused.forEach((text, reason) -> assertThatThrownBy(() -> AgentCodec.decode(text)).as(text)
                .isInstanceOf(ProtocolException.class).hasMessageStartingWith(reason)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("<", "Samsung PM9A3", "\u001b")));
    }

    @Test
    void countsAreBounded() {
        StringBuilder drives = new StringBuilder("[");
        for (int i = 0; i <= 1_024; i++) {
            drives.append(i == 0 ? "" : ",").append(drive("S" + i, ""));
        }
        assertThatThrownBy(() -> AgentCodec.decode(hello(drives + "]", "{}")))
                .hasMessage("invalid hello: drives: 1025 drives, at most 1024");
        StringBuilder labels = new StringBuilder("{");
        for (int i = 0; i <= 64; i++) {
            labels.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        assertThatThrownBy(() -> AgentCodec.decode(hello("[]", labels + "}")))
                .hasMessage("invalid hello: labels: 65 labels, at most 64");
    }

    @Test
    void labelsLikeTheSamplesAndPrefixedKeysPass() {
        AgentMessage m = AgentCodec.decode(hello("[" + drive("PHAC123400-15_PGGN.1", ",\"labels\":{\"model\":"
                + "\"Micron-7450-PRO-3.84TB\",\"nvmesh.io/media\":\"tlc\",\"empty\":\"\"}") + "]",
                "{\"zone\":\"eu-west-1a\",\"rack\":\"r11\"}"));
        assertThat(((AgentMessage.Hello) m).drives().get(0).labels()).containsEntry("nvmesh.io/media", "tlc");
    }

    @Test
    void anAgentCleansAFailureItDidNotWriteBeforeAckingIt() {
        AgentMessage.Ack ack = AgentMessage.Ack.refused(4, "line one\nline two\u202e" + "x".repeat(300));

        assertThat(ack.message()).startsWith("line one line two ").hasSize(256);
        assertThat(AgentCodec.decode(AgentCodec.encode(ack))).isEqualTo(ack);
    }

    @Test
    void movedReasonsCarryTheOwnersUrlAndFitACloseFrame() {
        String reason = AgentProtocol.movedReason("r2", URI.create("http://10.0.0.12:7420"));

        assertThat(reason).isEqualTo("moved r2 http://10.0.0.12:7420");
        assertThat(AgentProtocol.movedTo(reason)).contains(URI.create("http://10.0.0.12:7420"));
        assertThat(AgentProtocol.movedTo("going away")).isEmpty();
        assertThat(AgentProtocol.reason("x".repeat(500)).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .hasSizeLessThanOrEqualTo(123);
        assertThat(AgentProtocol.endpointOf(URI.create("https://a:1/"))).isEqualTo(URI.create("wss://a:1/v1/agent"));
    }
}
