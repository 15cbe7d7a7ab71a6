package io.nvmesh.cli.remote;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
                Map<String, Object> volumes = client.get("/v1/volumes");
                yield Rendering.list(volumes, "items").stream()
                        .map(v -> volume(v, Rendering.text(volumes.get("stateCommit")))).toList();
            }
            case "target", "drive", "client" -> nodes(client.get("/v1/inventory"), kind, all ? null : name);
            case "capacity" -> List.of(item("capacity", "totals", client.get("/v1/capacity")));
            case "cluster" -> List.of(item("cluster", "members", client.get("/v1/cluster")));
            default -> List.of(); // the server refuses a malformed filter with its own message
        };
    }

    private static EventFollower.Item oneVolume(ServerClient client, String name) {
        try {
            Map<String, Object> v = client.get("/v1/volumes/" + URLEncoder.encode(name, StandardCharsets.UTF_8));
            return volume(v, Rendering.text(v.get("stateCommit")));
        } catch (ServerException e) {
            if (e.status() != 404) {
                throw e;
            }
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("volume", name);
            return item("volume/" + name, "absent", payload);
        }
    }

    /** As a {@code status} event's payload: {@code {"volume","status","reason","stateCommit"}}. */
    private static EventFollower.Item volume(Map<String, Object> v, String stateCommit) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("volume", v.get("name"));
        payload.put("status", v.get("status"));
        payload.put("reason", v.get("reason"));
        payload.put("stateCommit", stateCommit);
        return item("volume/" + v.get("name"), "status", payload);
    }

    /** Targets and drives as {@code health} events' payloads, clients as recorded (their connection is not). */
    private static List<EventFollower.Item> nodes(Map<String, Object> inventory, String kind, String only) {
        List<EventFollower.Item> items = new ArrayList<>();
        String key = kind.equals("drive") ? "serial" : "id";
        for (Map<String, Object> n : Rendering.list(inventory, kind + "s")) {
            String id = Rendering.text(n.get(key));
            if (only != null && !only.equals(id)) {
                continue;
            }
            Map<String, Object> payload = new LinkedHashMap<>();
            switch (kind) {
                case "target" -> {
                    payload.put("target", id);
                    payload.put("health", n.get("health"));
                }
                case "drive" -> {
                    payload.put("serial", id);
                    payload.put("target", n.get("target"));
                    payload.put("health", n.get("health"));
                }
                default -> {
                    payload.put("client", id);
                    payload.put("labels", n.get("labels"));
                }
            }
            items.add(item(kind + "/" + id, kind.equals("client") ? "recorded" : "health", payload));
        }
        return items;
    }

    private static EventFollower.Item item(String topic, String type, Map<String, Object> payload) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("topic", topic);
        json.put("type", type);
        json.put("initial", true);
        json.put("payload", payload);
        return new EventFollower.Item(false, topic, type, 0, "", payload, 0, "", null, json, true);
    }
}
