package io.nvmesh.service.metrics;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Messages an instance refused from a peer or an agent, by endpoint and reason: exported as
 * {@code nvmesh_peer_refusals_total{endpoint,reason}}. One per instance ({@link InstanceMetrics#refusals()}); anything
 * that refuses a message counts it here, with a short endpoint name ({@code counters}, {@code heartbeat},
 * {@code events} ...) and the problem type's slug as the reason ({@code not-your-id}, {@code bad-value} ...).
 * Thread-safe.
 */
public final class RefusalCounts {

    /** One series. */
    public record Key(String endpoint, String reason) implements Comparable<Key> {

        public Key {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public int compareTo(Key other) {
            int c = endpoint.compareTo(other.endpoint);
            return c != 0 ? c : reason.compareTo(other.reason);
        }
    }

    /** The endpoint name of refused credentials, exported as {@code nvmesh_auth_refusals_total{reason}} instead. */
    public static final String AUTH = "auth";

    /**
     * The endpoint name of requests refused by a per-source limit, exported as
     * {@code nvmesh_limit_refusals_total{limit}} instead: {@code auth-failures}, {@code expensive},
     * {@code connections}.
     */
    public static final String LIMIT = "limit";

    private final ConcurrentHashMap<Key, LongAdder> counts = new ConcurrentHashMap<>();

    /** Counts one refused message. */
    public void count(String endpoint, String reason) {
        counts.computeIfAbsent(new Key(endpoint, reason), k -> new LongAdder()).increment();
    }

    /** How many messages were refused at an endpoint for a reason. */
    public long get(String endpoint, String reason) {
        LongAdder n = counts.get(new Key(endpoint, reason));
        return n == null ? 0 : n.sum();
    }

    /** Every series so far, sorted. */
    public Map<Key, Long> snapshot() {
        Map<Key, Long> out = new TreeMap<>();
        counts.forEach((k, n) -> out.put(k, n.sum()));
        return out;
    }
}
