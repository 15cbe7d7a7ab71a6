package io.nvmesh.service.auth;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many requests this instance refused, by what was refused ({@code auth}: the credential; {@code heartbeat}: a
 * peer's heartbeat) and why (the problem type). Metrics read it when scraped.
 */
public final class RefusalCounts {

    private final Map<String, Map<String, LongAdder>> counts = new ConcurrentHashMap<>();

    public void count(String what, String reason) {
        counts.computeIfAbsent(what, w -> new ConcurrentHashMap<>()).computeIfAbsent(reason, r -> new LongAdder())
                .increment();
    }

    /** Reason → count for one kind of refusal, sorted. */
    public Map<String, Long> of(String what) {
        Map<String, Long> out = new TreeMap<>();
        counts.getOrDefault(what, Map.of()).forEach((reason, n) -> out.put(reason, n.sum()));
        return out;
    }
}
