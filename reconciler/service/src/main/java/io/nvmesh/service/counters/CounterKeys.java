package io.nvmesh.service.counters;

import io.nvmesh.core.allocation.Usage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The counter key scheme. Keys are text so that a new scope needs no schema change:
 * <ul>
 *   <li>{@code bytes/<field>/cluster}, {@code bytes/<field>/domain/rack=r1}, {@code bytes/<field>/class/fast},
 *       {@code bytes/<field>/target/t-07} where field is one of {@link #FIELDS};</li>
 *   <li>{@code servers/<kind>/<health>}: {@code servers/target/healthy}, {@code servers/client/connected};</li>
 *   <li>{@code drives/<health>}: {@code drives/ok}, {@code drives/failed};</li>
 *   <li>{@code volumes/<status>}: {@code volumes/placed}.</li>
 * </ul>
 * Allocated bytes are not stored: they are {@code data + redundant}.
 */
public final class CounterKeys {

    /** The byte fields of a {@link Usage}, in its order. */
    public static final List<String> FIELDS = List.of("total", "free", "data", "redundant", "withheld", "offline");

    static final String CLUSTER = "cluster";
    static final String DOMAIN = "domain/";
    static final String CLASS = "class/";
    static final String TARGET = "target/";

    private CounterKeys() {
    }

    public static String bytes(String field, String scope) {
        return "bytes/" + field + "/" + scope;
    }

    public static String servers(String kind, String health) {
        return "servers/" + kind + "/" + health;
    }

    public static String drives(String health) {
        return "drives/" + health;
    }

    public static String volumes(String status) {
        return "volumes/" + status;
    }

    /** The six byte counters of a usage within a scope ({@code cluster}, {@code domain/rack=r1} ...). */
    static void putUsage(Map<String, Long> into, String scope, Usage u) {
        long[] values = {u.total(), u.free(), u.data(), u.redundant(), u.withheld(), u.offline()};
        for (int i = 0; i < values.length; i++) {
            into.merge(bytes(FIELDS.get(i), scope), values[i], Long::sum);
        }
    }

    /**
     * Reads back a usage from its fields in {@link #FIELDS} order; when the parts do not add up (a read between two halves of a replicated change), the
     * total is taken from the parts and {@code consistent[0]} is cleared.
     */
    static Usage usage(long[] byField, boolean[] consistent) {
        long sum = byField[1] + byField[2] + byField[3] + byField[4] + byField[5];
        if (byField[0] != sum) {
            consistent[0] = false;
        }
        return new Usage(sum, byField[1], byField[2], byField[3], byField[4], byField[5]);
    }

    /** Splits {@code bytes/<field>/<scope>} into field and scope; null for other keys. */
    static String[] splitBytes(String key) {
        if (!key.startsWith("bytes/")) {
            return null;
        }
        int slash = key.indexOf('/', 6);
        if (slash < 0) {
            return null;
        }
        return new String[] {key.substring(6, slash), key.substring(slash + 1)};
    }

    static Map<String, Long> copyWithoutZeros(Map<String, Long> counters) {
        Map<String, Long> out = new LinkedHashMap<>();
        counters.forEach((k, v) -> {
            if (v != 0) {
                out.put(k, v);
            }
        });
        return out;
    }

    static String checkPartition(String partition) {
        Objects.requireNonNull(partition, "partition");
        int slash = partition.indexOf('/');
        if (slash <= 0 || slash == partition.length() - 1 || partition.length() > 256
                || partition.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("partition \"" + partition + "\" is not an ownership key such as "
                    + "target/t-07");
        }
        return partition;
    }

    static String checkCounter(String counter) {
        Objects.requireNonNull(counter, "counter");
        if (counter.isEmpty() || counter.length() > 256 || counter.indexOf(SEPARATOR) >= 0
                || counter.startsWith("#")) {
            throw new IllegalArgumentException("counter key \"" + counter + "\" is empty, too long or reserved");
        }
        return counter;
    }

    /** Joins partition and counter into one stored key; neither may contain it. */
    static final char SEPARATOR = '\u001f';
}
