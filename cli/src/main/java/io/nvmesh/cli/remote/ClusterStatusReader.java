package io.nvmesh.cli.remote;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Gathers a {@link ClusterStatus}: membership, ownership, capacity, health and volumes from the instance given (they
 * are cluster-wide: replicated counters, the recorded state), and from every live member what only it knows (its
 * uptime, its last reconcile pass). Only the first instance must answer; a member that does not is a problem listed
 * in the status, not a failure.
 */
final class ClusterStatusReader {

    private final ServerClient answering;
    private final Function<URI, ServerClient> clientOf;

    /** @param clientOf a client for a member's URL, with the same token */
    ClusterStatusReader(ServerClient answering, Function<URI, ServerClient> clientOf) {
        this.answering = answering;
        this.clientOf = clientOf;
    }

    /** @throws ServerException when the instance given cannot be read at all */
    ClusterStatus read(long now) {
        Map<String, Object> cluster = answering.get("/v1/cluster");
        String self = Rendering.text(cluster.get("self"));
        List<String> problems = new ArrayList<>();

        List<ClusterStatus.Member> members = new ArrayList<>();
        Map<String, Integer> nodes = new LinkedHashMap<>();
        Map<String, Integer> volumes = new LinkedHashMap<>();
        Map<String, Object> volumeCounts = Rendering.map(Rendering.map(Rendering.map(cluster.get("ownership"))
                .get("counts")).get("volume"));
        for (Map<String, Object> m : Rendering.list(cluster, "members")) {
            String id = Rendering.text(m.get("id"));
            boolean alive = Boolean.TRUE.equals(m.get("alive"));
            boolean isSelf = Boolean.TRUE.equals(m.get("self"));
            Map<String, Object> agents = Rendering.map(m.get("agents"));
            int targets = number(agents.get("targets"));
            int clients = number(agents.get("clients"));
            int owned = number(volumeCounts.get(id));
            long uptime = -1;
            ClusterStatus.Pass pass = null;
            if (alive) {
                nodes.put(id, targets + clients);
                volumes.put(id, owned);
                ServerClient c = isSelf ? answering : clientOf.apply(URI.create(Rendering.text(m.get("url"))));
                try {
                    uptime = longOf(c.get("/v1/instance").get("uptimeMillis"));
                    pass = lastPass(c, id, now, problems);
                } catch (ServerException e) {
                    problems.add(id + ": " + brief(e));
                }
            }
            members.add(new ClusterStatus.Member(id, Rendering.text(m.get("url")), alive, isSelf,
                    longOf(m.get("epoch")), number(m.get("incarnations")), longOf(m.get("silentForMillis")), uptime,
                    targets, clients, owned, pass));
        }
        ClusterStatus.Balance balance = new ClusterStatus.Balance(ClusterStatus.Spread.of(nodes),
                ClusterStatus.Spread.of(volumes));

        Map<String, Object> capacity = Map.of();
        try {
            capacity = answering.get("/v1/capacity");
        } catch (ServerException e) {
            problems.add("capacity: " + e.getMessage());
        }
        Map<String, Object> usage = Rendering.map(capacity.get("cluster"));
        Map<String, Map<String, Long>> servers = nested(Rendering.map(capacity.get("servers")));
        Map<String, Long> drives = flat(Rendering.map(capacity.get("drives")));
        String healthSource = "counters";
        long recordedRaw = -1;
        // The recorded inventory says which targets have drives that are not ok (the counters count targets by their
        // own health only); it is also the fallback while the counters are empty.
        Map<String, Object> inventory = null;
        ServerException inventoryFailure = null;
        try {
            inventory = answering.get("/v1/inventory");
        } catch (ServerException e) {
            inventoryFailure = e;
        }
        Map<String, Long> targetsOverall = new TreeMap<>();
        List<String> affected = new ArrayList<>();
        if (inventory != null) {
            List<Map<String, Object>> worstFirst = new ArrayList<>(Rendering.list(inventory, "targets"));
            worstFirst.sort(java.util.Comparator.comparingInt((Map<String, Object> t) -> rank(t))
                    .thenComparing(t -> Rendering.text(t.get("id"))));
            for (Map<String, Object> t : worstFirst) {
                String overall = Rendering.text(t.get("overallHealth"));
                if (overall.isEmpty()) {
                    continue; // a server that predates overall health: the counters' line stands
                }
                targetsOverall.merge(overall, 1L, Long::sum);
                if (!overall.equals("healthy")) {
                    affected.add(Rendering.text(t.get("id")) + " " + Rendering.targetHealth(t));
                }
            }
        }
        if (servers.isEmpty() || drives.isEmpty() || longOf(usage.get("total")) == 0) {
            // The counters are not fed yet (or this instance has no Git remote): say what the recorded inventory says.
            try {
                if (inventory == null) {
                    throw inventoryFailure;
                }
                recordedRaw = 0;
                Map<String, Long> drivesRecorded = new TreeMap<>();
                for (Map<String, Object> d : Rendering.list(inventory, "drives")) {
                    drivesRecorded.merge(Rendering.text(d.get("health")), 1L, Long::sum);
                    recordedRaw += longOf(d.get("capacity"));
                }
                if (servers.isEmpty() || drives.isEmpty()) {
                    Map<String, Long> targets = new TreeMap<>();
                    Rendering.list(inventory, "targets").forEach(t -> targets.merge(Rendering.text(t.get("health")),
                            1L, Long::sum));
                    servers = new TreeMap<>();
                    servers.put("target", targets);
                    servers.put("client", Map.of("recorded", (long) Rendering.list(inventory, "clients").size()));
                    drives = drivesRecorded;
                    healthSource = "recorded";
                }
            } catch (ServerException e) {
                problems.add("inventory: " + e.getMessage());
            }
        }

        Map<String, Long> byStatus = new TreeMap<>();
        String volumesSource = "recorded";
        String stateCommit = "";
        String desiredCommit = "";
        try {
            Map<String, Object> v = answering.get("/v1/volumes");
            Rendering.list(v, "items").forEach(i -> byStatus.merge(Rendering.text(i.get("status")), 1L, Long::sum));
            stateCommit = Rendering.text(v.get("stateCommit"));
            desiredCommit = Rendering.text(v.get("desiredCommit"));
        } catch (ServerException e) {
            problems.add("volumes: " + e.getMessage());
            byStatus.putAll(flat(Rendering.map(capacity.get("volumes"))));
            volumesSource = "counters";
        }
        ClusterStatus.Health health = new ClusterStatus.Health(healthSource, servers, drives, volumesSource, byStatus,
                stateCommit, desiredCommit, targetsOverall, affected);

        long total = longOf(usage.get("total"));
        long free = longOf(usage.get("free"));
        ClusterStatus.Capacity cap = new ClusterStatus.Capacity(total, free, longOf(usage.get("allocated")),
                longOf(usage.get("data")), longOf(usage.get("redundant")), longOf(usage.get("withheld")),
                longOf(usage.get("offline")), total == 0 ? 0 : Math.round(free * 1000.0 / total) / 10.0,
                !Boolean.FALSE.equals(capacity.get("consistent")), recordedRaw);

        return new ClusterStatus(ClusterStatus.FORMAT_VERSION, answering.address().server().toString(), self, now,
                members, balance, health, cap, problems);
    }

    private static ClusterStatus.Pass lastPass(ServerClient c, String id, long now, List<String> problems) {
        Map<String, Object> results;
        try {
            results = c.get("/v1/reconcile/results");
        } catch (ServerException e) {
            problems.add(id + ": " + brief(e)); // e.g. no Git remote: it does not reconcile
            return null;
        }
        List<Map<String, Object>> passes = Rendering.list(results, "results");
        if (passes.isEmpty()) {
            return null;
        }
        Map<String, Object> p = passes.get(0);
        String at = Rendering.text(p.get("at"));
        return new ClusterStatus.Pass(Rendering.text(p.get("outcome")), at, ClusterStatus.age(at, now),
                longOf(p.get("millis")), number(p.get("ownedVolumes")), Rendering.text(p.get("message")));
    }

    /** The failure without the advice on starting a demo, which fits the first instance, not a member. */
    private static String brief(ServerException e) {
        String m = e.getMessage();
        int advice = m.indexOf("; is it running?");
        return advice < 0 ? m : m.substring(0, advice);
    }

    private static Map<String, Map<String, Long>> nested(Map<String, Object> m) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        m.forEach((k, v) -> {
            Map<String, Long> inner = flat(Rendering.map(v));
            if (!inner.isEmpty()) {
                out.put(k, inner);
            }
        });
        return out;
    }

    private static Map<String, Long> flat(Map<String, Object> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> {
            if (longOf(v) != 0) {
                out.put(k, longOf(v));
            }
        });
        return out;
    }

    /** Unhealthy first, then degraded, then healthy. */
    private static int rank(Map<String, Object> target) {
        return switch (Rendering.text(target.get("overallHealth"))) {
            case "unhealthy" -> 0;
            case "degraded" -> 1;
            default -> 2;
        };
    }

    private static int number(Object o) {
        return (int) longOf(o);
    }

    private static long longOf(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }
}
