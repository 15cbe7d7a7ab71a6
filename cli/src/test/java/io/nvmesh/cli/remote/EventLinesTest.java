package io.nvmesh.cli.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code watch} prints for an event, a reset and an initial state, for people and as JSON lines. */
class EventLinesTest {

    private static final LocalTime AT = LocalTime.of(14, 35, 54);

    @Test
    void anEventIsPrintedAsTheServerSentItUnknownFieldsIncluded() {
        Map<String, Object> sent = new LinkedHashMap<>();
        sent.put("topic", "volume/db-01");
        sent.put("type", "status");
        sent.put("seq", 1764078000000001L);
        sent.put("origin", "r2");
        sent.put("payload", Map.of("status", "online"));
        sent.put("trace", "from a newer server");
        EventFollower.Item item = new EventFollower.Item(false, "volume/db-01", "status", 1764078000000001L, "r2",
                Map.of("status", "online"), 0, "", null, sent, false);

        assertThat(EventLines.json(item)).isEqualTo("{\"topic\":\"volume/db-01\",\"type\":\"status\","
                + "\"seq\":1764078000000001,\"origin\":\"r2\",\"payload\":{\"status\":\"online\"},"
                + "\"trace\":\"from a newer server\"}");
        assertThat(EventLines.text(item, AT)).containsExactly("14:35:54 volume/db-01 status {\"status\":\"online\"}");
    }

    @Test
    void aResetIsALineOfItsOwnWithItsSnapshot() {
        EventFollower.Item item = new EventFollower.Item(true, "volume/*", "reset", 0, "", null, 42, "behind", null,
                Map.of(), false);

        assertThat(EventLines.json(item)).isEqualTo(
                "{\"topic\":\"volume/*\",\"type\":\"reset\",\"head\":42,\"reason\":\"behind\",\"snapshot\":null}");
        assertThat(EventLines.text(item, AT)).isEqualTo(List.of(
                "14:35:54 volume/* was reset (behind: the server no longer holds the events since the last one seen);"
                        + " events missed, the snapshot follows",
                "14:35:54 volume/* snapshot (none: the server has no snapshot for it)"));
    }
}
