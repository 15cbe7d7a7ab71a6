package io.nvmesh.service.counters;

import io.nvmesh.core.allocation.Usage;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The arithmetic that turns the counters' totals ({@code bytes/<field>/<scope><name>}, {@code servers/...},
 * {@code drives/...}, {@code volumes/...}) into a {@link CapacitySnapshot}. Pure: reads a view of the totals, keeps
 * nothing.
 */
final class CapacityReading {

    private CapacityReading() {
    }

    /**
     * @param withTargets       whether to include per-target bytes (there are many targets)
     * @param agreesWithRecount false while some partition disagrees with its recount: the snapshot is not consistent
     */
    static CapacitySnapshot of(NavigableMap<String, Long> totals, boolean withTargets, boolean agreesWithRecount) {
        long[] cluster = new long[CounterKeys.FIELDS.size()];
        Map<String, long[]> domains = new HashMap<>();
        Map<String, long[]> classes = new HashMap<>();
        Map<String, long[]> targets = new HashMap<>();
        for (int f = 0; f < cluster.length; f++) {
            String field = CounterKeys.FIELDS.get(f);
            cluster[f] = totals.getOrDefault(CounterKeys.bytes(field, CounterKeys.CLUSTER), 0L);
            scope(totals, f, CounterKeys.DOMAIN, domains);
            scope(totals, f, CounterKeys.CLASS, classes);
            if (withTargets) {
                scope(totals, f, CounterKeys.TARGET, targets);
            }
        }
        boolean[] consistent = {true};
        Usage clusterUsage = CounterKeys.usage(cluster, consistent);
        Map<String, Map<String, Long>> servers = new HashMap<>();
        for (Map.Entry<String, Long> e : prefixed(totals, "servers/").entrySet()) {
            String rest = e.getKey().substring("servers/".length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                servers.computeIfAbsent(rest.substring(0, slash), x -> new HashMap<>())
                        .put(rest.substring(slash + 1), e.getValue());
            }
        }
        return new CapacitySnapshot(clusterUsage, usages(domains, consistent), usages(classes, consistent),
                usages(targets, consistent), servers, counts(totals, "drives/"), counts(totals, "volumes/"),
                consistent[0] && agreesWithRecount);
    }

    /** Collects {@code bytes/<field>/<scope><name>} into one array of fields per name. */
    private static void scope(NavigableMap<String, Long> totals, int field, String scope, Map<String, long[]> into) {
        String prefix = CounterKeys.bytes(CounterKeys.FIELDS.get(field), scope);
        for (Map.Entry<String, Long> e : prefixed(totals, prefix).entrySet()) {
            into.computeIfAbsent(e.getKey().substring(prefix.length()), x -> new long[CounterKeys.FIELDS.size()])
                    [field] = e.getValue();
        }
    }

    private static Map<String, Usage> usages(Map<String, long[]> byName, boolean[] consistent) {
        Map<String, Usage> out = new HashMap<>();
        byName.forEach((name, fields) -> out.put(name, CounterKeys.usage(fields, consistent)));
        return out;
    }

    private static Map<String, Long> counts(NavigableMap<String, Long> totals, String prefix) {
        Map<String, Long> out = new HashMap<>();
        prefixed(totals, prefix).forEach((k, v) -> out.put(k.substring(prefix.length()), v));
        return out;
    }

    private static NavigableMap<String, Long> prefixed(NavigableMap<String, Long> totals, String prefix) {
        return totals.subMap(prefix, true, prefix + Character.MAX_VALUE, false);
    }
}
