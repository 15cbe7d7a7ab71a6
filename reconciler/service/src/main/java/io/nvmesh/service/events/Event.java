package io.nvmesh.service.events;

import java.util.Objects;

/**
 * One event on one topic.
 *
 * @param topic   e.g. {@code volume/db-01}
 * @param type    what happened, e.g. {@code placed}
 * @param seq     position in the topic, assigned where the event was raised: {@code originEpochSeconds × 10^6 + n}
 *                with n counting 1, 2, 3 ... per topic (see docs/events.md); below 2^53, so JavaScript reads it exactly
 * @param origin  id of the instance that raised it
 * @param payload anything the HTTP adapter can write as JSON (a record, a map, a list, a string, a number); after
 *                crossing instances it arrives as maps and lists
 */
public record Event(String topic, String type, long seq, String origin, Object payload) implements StreamItem {

    public Event {
        Topics.checkTopic(topic);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(origin, "origin");
        if (type.isBlank()) {
            throw new IllegalArgumentException("an event needs a type");
        }
        if (seq <= 0) {
            throw new IllegalArgumentException("sequences start at 1, got " + seq);
        }
    }
}
