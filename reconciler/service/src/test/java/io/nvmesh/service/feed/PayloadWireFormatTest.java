package io.nvmesh.service.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.api.DesiredCommitJson;
import io.nvmesh.api.ServedJson;
import io.nvmesh.api.StateCommitJson;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.Performance;
import io.nvmesh.service.nodes.ReportedNode;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

/**
 * The event payloads are records of {@code io.nvmesh.api} now; these are the exact JSON texts the maps they replaced
 * wrote (field names, value types, key order), so that watchers, the dashboard and older peers read the same bytes.
 */
class PayloadWireFormatTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void volumeStatusKeepsItsFieldsAndOrder() {
        assertThat(JSON.writeValueAsString(StateFeed.volumePayload("db-01", "pending", "no room", "c0ffee")))
                .isEqualTo("{\"volume\":\"db-01\",\"status\":\"pending\",\"reason\":\"no room\","
                        + "\"stateCommit\":\"c0ffee\"}");
    }

    @Test
    void nodeHealthAndClientStateKeepTheirFieldsAndOrder() {
        ReportedNode target = new ReportedNode("t-1", NodeKind.TARGET, "r2", false, Map.of(),
                TargetHealth.UNHEALTHY, List.of(new Drive("S2", 1L << 40, DriveHealth.FAILED, Map.of()),
                new Drive("S1", 1L << 40, DriveHealth.OK, Map.of())), Performance.IDLE, 0, 0, 0);
        assertThat(JSON.writeValueAsString(NodeEvents.targetPayload(target))).isEqualTo(
                "{\"target\":\"t-1\",\"health\":\"unhealthy\",\"connected\":false,\"owner\":\"r2\",\"drives\":["
                        + "{\"serial\":\"S1\",\"health\":\"ok\"},{\"serial\":\"S2\",\"health\":\"failed\"}]}");
        assertThat(JSON.writeValueAsString(NodeEvents.drivePayload("S2", "t-1", "missing")))
                .isEqualTo("{\"serial\":\"S2\",\"target\":\"t-1\",\"health\":\"missing\"}");
        ReportedNode client = new ReportedNode("c-1", NodeKind.CLIENT, "r3", true, Map.of(), TargetHealth.HEALTHY,
                List.of(), Performance.IDLE, 0, 0, 0);
        assertThat(JSON.writeValueAsString(NodeEvents.clientPayload(client)))
                .isEqualTo("{\"client\":\"c-1\",\"state\":\"connected\",\"owner\":\"r3\"}");
    }

    @Test
    void servedStateAndDesiredKeepTheirFields() {
        assertThat(JSON.writeValueAsString(new ServedJson("db-01", "c0ffee")))
                .isEqualTo("{\"volume\":\"db-01\",\"stateCommit\":\"c0ffee\"}");
        assertThat(JSON.writeValueAsString(new StateCommitJson("c0ffee"))).isEqualTo("{\"stateCommit\":\"c0ffee\"}");
        // Was a Map.of (no fixed order): the record fixes the order the table in docs/events.md gives.
        assertThat(JSON.writeValueAsString(new DesiredCommitJson("c0ffee", "invalid", "not signed")))
                .isEqualTo("{\"desiredCommit\":\"c0ffee\",\"outcome\":\"invalid\",\"reason\":\"not signed\"}");
    }
}
