package io.nvmesh.cli.remote;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How {@code nvmesh watch} prints what a {@link EventFollower} hands it: lines for people, or JSON lines. */
public final class EventLines {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private EventLines() {
    }

    /**
     * For people: {@code 14:35:54 volume/db-01 status {"volume":"db-01","status":"online"}}; a reset is a line saying
     * so, then the snapshot it carries (what the topic is now); the state when the watch began says {@code (current)}.
     */
    public static List<String> text(EventFollower.Item item, LocalTime at) {
        String time = TIME.format(at);
        if (item.initial()) {
            return List.of(time + " " + item.topic() + " " + item.type() + " (current) " + compact(item.payload()));
        }
        if (!item.reset()) {
            return List.of(time + " " + item.topic() + " " + item.type() + " " + compact(item.payload()));
        }
        String why = item.reason().equals("overflow") ? "this watch read too slowly"
                : "the server no longer holds the events since the last one seen";
        return List.of(time + " " + item.topic() + " was reset (" + item.reason() + ": " + why
                        + "); events missed, the snapshot follows",
                time + " " + item.topic() + " snapshot " + (item.snapshot() == null ? "(none: the server has no "
                        + "snapshot for it)" : compact(item.snapshot())));
    }

    /**
     * For scripts, one JSON object per line: an event exactly as the server sent it ({@code topic, type, seq, origin,
     * payload}); a reset as {@code {"topic","type":"reset","head","reason","snapshot"}}; an object's state when the
     * watch began as {@code {"topic","type","initial":true,"payload"}}.
     */
    public static String json(EventFollower.Item item) {
        if (!item.reset()) {
            return compact(item.json());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("topic", item.topic());
        m.put("type", "reset");
        m.put("head", item.head());
        m.put("reason", item.reason());
        m.put("snapshot", item.snapshot());
        return compact(m);
    }

    static String compact(Object value) {
        return ServerClient.JSON.writeValueAsString(value);
    }
}
