package io.nvmesh.cli.remote;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

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
        return compact(new ResetLine(item.topic(), "reset", item.head(), item.reason(), item.snapshot()));
    }

    /** A reset as {@code watch -o json} prints it: the server's reset with a {@code type}, like an event's. */
    record ResetLine(String topic, String type, long head, String reason, Object snapshot) {
    }

    static String compact(Object value) {
        return ServerClient.JSON.writeValueAsString(value);
    }
}
