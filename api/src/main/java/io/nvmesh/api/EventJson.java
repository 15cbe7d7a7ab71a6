package io.nvmesh.api;

/**
 * One event as it travels: an SSE frame's {@code data}, a WebSocket frame's {@code event}, an element of a peer's
 * batch (docs/events.md).
 *
 * @param topic   e.g. {@code volume/db-01}
 * @param type    what happened, e.g. {@code placed}
 * @param seq     position in the topic, assigned where the event was raised
 * @param origin  id of the instance that raised it
 * @param payload any JSON value; raised here, the topic's payload record ({@link VolumeStatusJson},
 *                {@link TargetHealthJson}, {@link CapacityJson} ..., see docs/events.md) or, for {@code command}
 *                events, a map; read back from JSON, maps and lists (forwarded as they came)
 */
public record EventJson(String topic, String type, long seq, String origin, Object payload) {

    /** A field the wire format needs: missing or null is an {@link IllegalArgumentException} (a 400 from a peer). */
    public EventJson {
        require(topic, "topic");
        require(type, "type");
        require(origin, "origin");
    }

    private static void require(Object value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("`" + field + "` is required");
        }
    }
}
