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
            Map.of("model", "Samsung PM9A3 3.84TB", "media", "tlc", "gen", "4"));

    @Test
    void helloIsWrittenWithItsTypeFirstAndLowerCaseEnums() {
        String json = AgentCodec.encode(new AgentMessage.Hello(List.of(1), "t-001", NodeKind.TARGET,
                Map.of("rack", "rack-a01", "zone", "zone-a"), List.of(DRIVE)));

        assertThat(json).isEqualTo("{\"type\":\"hello\",\"protocols\":[1],\"nodeId\":\"t-001\",\"kind\":\"target\","
                + "\"labels\":{\"rack\":\"rack-a01\",\"zone\":\"zone-a\"},\"drives\":[{\"serial\":\"S6EUNS0W123456\","
                + "\"capacity\":3840755982336,\"health\":\"ok\",\"labels\":{\"gen\":\"4\",\"media\":\"tlc\","
                + "\"model\":\"Samsung PM9A3 3.84TB\"}}]}");
    }

    @Test
    void everyMessageSurvivesARoundTrip() {
        List<AgentMessage> all = List.of(
                new AgentMessage.Hello(List.of(1, 2), "c-001", NodeKind.CLIENT, Map.of("zone", "zone-b"), List.of()),
                new AgentMessage.Welcome(1, "t-001", "r2", 1000),
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
                + "\"kind\":\"target\"}")).isInstanceOf(ProtocolException.class).hasMessageContaining("node id \"T 1\"");
        assertThatThrownBy(() -> AgentCodec.decode("{\"type\":\"hello\",\"protocols\":[1],\"nodeId\":\"c-1\","
                + "\"kind\":\"client\",\"drives\":[{\"serial\":\"X\",\"capacity\":1,\"health\":\"ok\"}]}"))
                .hasMessageContaining("client c-1 cannot report drives");
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
