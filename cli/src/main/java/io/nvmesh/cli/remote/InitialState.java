package io.nvmesh.cli.remote;

import io.nvmesh.api.CapacityJson;
import io.nvmesh.api.ClusterJson;
import io.nvmesh.api.DriveHealthJson;
import io.nvmesh.api.InventoryJson;
import io.nvmesh.api.VolumeJson;
import io.nvmesh.api.VolumeListJson;
import io.nvmesh.api.VolumeStatusJson;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code watch} prints before the first change, as {@code kubectl get -w} does: the current state of each
 * watched topic, read from the REST API in the shape of the topic's events (docs/events.md), marked initial. The event
 * stream sends a snapshot only on a reset, and none for a {@code <kind>/*} filter, so it cannot give this.
 */
public final class InitialState {

    private InitialState() {
    }

    /**
     * One item per object the filters name, in filter order; a named volume that is not recorded is {@code absent}.
     * An instance without recorded state (no Git remote, 503) has no volumes or inventory to show: those are skipped.
     */
    public static List<EventFollower.Item> read(ServerClient client, List<String> filters) {
        List<EventFollower.Item> items = new ArrayList<>();
        for (String filter : filters) {
            try {
                items.addAll(read(client, filter));
            } catch (ServerException e) {
                if (e.status() != 503) {
                    throw e;
                }
            }
        }
        return items;
    }

    private static List<EventFollower.Item> read(ServerClient client, String filter) {
        int slash = filter.indexOf('/');
        String kind = slash < 0 ? filter : filter.substring(0, slash);
        String name = slash < 0 ? null : filter.substring(slash + 1);
        boolean all = "*".equals(name);
        return switch (kind) {
            case "volume" -> {
                if (!all) {
                    yield List.of(oneVolume(client, name));
                }
                VolumeListJson volumes = client.get("/v1/volumes", VolumeListJson.class);
                yield volumes.items().stream().map(v -> volume(v.name(), v.status(), v.reason(),
                        volumes.stateCommit())).toList();
            }
            case "target", "drive", "client" -> nodes(client.get("/v1/inventory", InventoryJson.class), kind,
                    all ? null : name);
            case "capacity" -> List.of(item("capacity", "totals", client.get("/v1/capacity", CapacityJson.class)));
            case "cluster" -> List.of(item("cluster", "members", client.get("/v1/cluster", ClusterJson.class)));
            default -> List.of(); // the server refuses a malformed filter with its own message
        };
    }

    private static EventFollower.Item oneVolume(ServerClient client, String name) {
        try {
            VolumeJson v = client.get("/v1/volumes/" + URLEncoder.encode(name, StandardCharsets.UTF_8),
                    VolumeJson.class);
            return volume(v.name(), v.status(), v.reason(), v.stateCommit());
        } catch (ServerException e) {
            if (e.status() != 404) {
                throw e;
            }
            return item("volume/" + name, "absent", new Absent(name));
        }
    }

    /** As a {@code status} event's payload: {@code {"volume","status","reason","stateCommit"}}. */
    private static EventFollower.Item volume(String name, String status, String reason, String stateCommit) {
        return item("volume/" + name, "status", new VolumeStatusJson(name, status, reason, stateCommit));
    }

    /**
     * Drives as {@code health} events' payloads; targets as {@code health} with the recorded health only (whether an
     * agent is connected, and where, is not recorded); clients as recorded (their connection is not).
     */
    private static List<EventFollower.Item> nodes(InventoryJson inventory, String kind, String only) {
        List<EventFollower.Item> items = new ArrayList<>();
        switch (kind) {
            case "target" -> inventory.targets().forEach(t -> node(items, only, "target", t.id(), "health",
                    new RecordedTarget(t.id(), t.health())));
            case "drive" -> inventory.drives().forEach(d -> node(items, only, "drive", d.serial(), "health",
                    new DriveHealthJson(d.serial(), d.target(), d.health())));
            default -> inventory.clients().forEach(c -> node(items, only, "client", c.id(), "recorded",
                    new RecordedClient(c.id(), c.labels())));
        }
        return items;
    }

    /** The node's item, unless another node was asked for. */
    private static void node(List<EventFollower.Item> items, String only, String kind, String id, String type,
                             Object payload) {
        if (only == null || only.equals(id)) {
            items.add(item(kind + "/" + id, type, payload));
        }
    }

    private static EventFollower.Item item(String topic, String type, Object payload) {
        return new EventFollower.Item(false, topic, type, 0, "", payload, 0, "", null,
                new InitialLine(topic, type, true, payload), true);
    }

    /** A named volume that is not recorded: {@code absent}, a line of {@code watch}'s own, no event's payload. */
    record Absent(String volume) {
    }

    /**
     * A target as the inventory records it: a subset of a {@code health} event's payload
     * ({@link io.nvmesh.api.TargetHealthJson}), whose other fields only the instance holding the agent knows.
     */
    record RecordedTarget(String target, String health) {
    }

    /** A client as the inventory records it ({@code recorded}, a line of {@code watch}'s own). */
    record RecordedClient(String client, Map<String, String> labels) {
    }

    /** What {@code watch -o json} prints for an object's state when the watch began. */
    record InitialLine(String topic, String type, boolean initial, Object payload) {
    }
}
