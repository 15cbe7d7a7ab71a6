package io.nvmesh.service.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The last events of one topic this instance has seen, for consumers that resume. Guarded by the hub's lock. */
final class TopicLog {

    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final int capacity;
    private long head;
    /** The last sequence taken from each origin: what a replayed event is compared with. */
    private final Map<String, Long> heads = new HashMap<>();

    TopicLog(int capacity) {
        this.capacity = capacity;
    }

    void add(Event e) {
        if (events.size() == capacity) {
            events.removeFirst();
        }
        events.addLast(e);
        head = Math.max(head, e.seq());
        heads.merge(e.origin(), e.seq(), Math::max);
    }

    /** The last sequence taken from {@code origin} (0 when none). */
    long headOf(String origin) {
        return heads.getOrDefault(origin, 0L);
    }

    long head() {
        return head;
    }

    /**
     * The events after {@code since}, or null when the buffer does not reach back to it: its oldest event is not the
     * one right after {@code since} (evicted, or a new origin epoch began since).
     */
    List<Event> after(long since) {
        if (events.isEmpty() || since >= head) {
            return List.of();
        }
        if (events.peekFirst().seq() > since + 1) {
            return null;
        }
        List<Event> out = new ArrayList<>();
        for (Event e : events) {
            if (e.seq() > since) {
                out.add(e);
            }
        }
        return out;
    }
}
