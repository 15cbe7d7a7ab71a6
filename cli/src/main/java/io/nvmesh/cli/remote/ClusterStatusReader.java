package io.nvmesh.cli.remote;

import io.nvmesh.api.CapacityJson;
import io.nvmesh.api.CapacityJson.UsageJson;
import io.nvmesh.api.ClusterJson;
import io.nvmesh.api.InstanceJson;
import io.nvmesh.api.InventoryJson;
import io.nvmesh.api.PassResult;
import io.nvmesh.api.ReconcileResultsJson;
import io.nvmesh.api.VolumeListJson;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
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
        ClusterJson cluster = answering.get("/v1/cluster", ClusterJson.class);
        List<String> problems = new ArrayList<>();
        List<ClusterStatus.Member> members = new ArrayList<>();
        Map<String, Integer> nodes = new LinkedHashMap<>();
        Map<String, Integer> volumes = new LinkedHashMap<>();
        Map<String, Integer> volumeCounts = cluster.ownership() == null ? Map.of()
                : cluster.ownership().counts().getOrDefault("volume", Map.of());
        for (ClusterJson.MemberJson m : cluster.members()) {
            ClusterStatus.Member member = member(m, volumeCounts.getOrDefault(m.id(), 0), now, problems);
            if (m.alive()) {
                nodes.put(m.id(), member.targets() + member.clients());
                volumes.put(m.id(), member.ownedVolumes());
            }
            members.add(member);
        }
        ClusterStatus.Balance balance = new ClusterStatus.Balance(ClusterStatus.Spread.of(nodes),
                ClusterStatus.Spread.of(volumes));

        CapacityJson capacity = null;
        try {
            capacity = answering.get("/v1/capacity", CapacityJson.class);
        } catch (ServerException e) {
            problems.add("capacity: " + e.getMessage());
        }
        UsageJson usage = capacity == null || capacity.cluster() == null ? new UsageJson(0, 0, 0, 0, 0, 0, 0)
                : capacity.cluster();
        Read health = health(capacity, usage, problems);
        long total = usage.total();
        long free = usage.free();
        ClusterStatus.Capacity cap = new ClusterStatus.Capacity(total, free, usage.allocated(), usage.data(),
                usage.redundant(), usage.withheld(), usage.offline(),
                total == 0 ? 0 : Math.round(free * 1000.0 / total) / 10.0, capacity == null || capacity.consistent(),
                health.recordedRawBytes());

        return new ClusterStatus(ClusterStatus.FORMAT_VERSION, answering.address().server().toString(),
                cluster.self(), now, members, balance, health.health(), cap, problems);
    }

    /** A member as the answering instance sees it, and what a live one says itself (its uptime, its last pass). */
    private ClusterStatus.Member member(ClusterJson.MemberJson m, int ownedVolumes, long now, List<String> problems) {
        int targets = m.agents().getOrDefault("targets", 0);
        int clients = m.agents().getOrDefault("clients", 0);
        long uptime = -1;
        ClusterStatus.Pass pass = null;
        if (m.alive()) {
            ServerClient c = m.self() ? answering : clientOf.apply(URI.create(m.url()));
            try {
                uptime = c.get("/v1/instance", InstanceJson.class).uptimeMillis();
                pass = lastPass(c, m.id(), now, problems);
            } catch (ServerException e) {
                problems.add(m.id() + ": " + brief(e));
            }
        }
        return new ClusterStatus.Member(m.id(), m.url(), m.alive(), m.self(), m.epoch(), m.incarnations(),
                m.silentForMillis(), uptime, targets, clients, ownedVolumes, pass);
    }

    /** {@link ClusterStatus.Health} and the raw bytes of the recorded drives (-1 when they were not summed). */
    private record Read(ClusterStatus.Health health, long recordedRawBytes) {
    }

    /**
     * Servers and drives from the counters, or from the recorded inventory while the counters are empty; targets by
     * overall health from the recorded inventory (the counters count targets by their own health only); volumes by
     * status from the recorded state, or the counters when it cannot be read.
     */
    private Read health(CapacityJson capacity, UsageJson usage, List<String> problems) {
        Map<String, Map<String, Long>> servers = capacity == null ? new TreeMap<>() : nested(capacity.servers());
        Map<String, Long> drives = capacity == null ? new TreeMap<>() : flat(capacity.drives());
        String healthSource = "counters";
        long recordedRaw = -1;
        InventoryJson inventory = null;
        ServerException inventoryFailure = null;
        try {
            inventory = answering.get("/v1/inventory", InventoryJson.class);
        } catch (ServerException e) {
            inventoryFailure = e;
        }
        Map<String, Long> targetsOverall = new TreeMap<>();
        List<String> affected = new ArrayList<>();
        if (inventory != null) {
            overallHealth(inventory, targetsOverall, affected);
        }
        if (servers.isEmpty() || drives.isEmpty() || usage.total() == 0) {
            // The counters are not fed yet (or this instance has no Git remote): say what the recorded inventory says.
            if (inventory == null) {
                problems.add("inventory: " + inventoryFailure.getMessage());
            } else {
                recordedRaw = 0;
                Map<String, Long> drivesRecorded = new TreeMap<>();
                for (InventoryJson.DriveJson d : inventory.drives()) {
                    drivesRecorded.merge(d.health(), 1L, Long::sum);
                    recordedRaw += d.capacity();
                }
                if (servers.isEmpty() || drives.isEmpty()) {
                    Map<String, Long> targets = new TreeMap<>();
                    inventory.targets().forEach(t -> targets.merge(t.health(), 1L, Long::sum));
                    servers = new TreeMap<>();
                    servers.put("target", targets);
                    servers.put("client", Map.of("recorded", (long) inventory.clients().size()));
                    drives = drivesRecorded;
                    healthSource = "recorded";
                }
            }
        }
        Volumes v = volumes(capacity, problems);
        return new Read(new ClusterStatus.Health(healthSource, servers, drives, v.source(), v.byStatus(),
                v.stateCommit(), v.desiredCommit(), targetsOverall, affected), recordedRaw);
    }

    /** Targets by overall health, and those not plainly healthy worst first: {@code t-002 degraded: 1 drive failed}. */
    private static void overallHealth(InventoryJson inventory, Map<String, Long> byOverall, List<String> affected) {
        List<InventoryJson.TargetJson> worstFirst = new ArrayList<>(inventory.targets());
        worstFirst.sort(Comparator.comparingInt(ClusterStatusReader::rank).thenComparing(InventoryJson.TargetJson::id));
        for (InventoryJson.TargetJson t : worstFirst) {
            if (t.overallHealth().isEmpty()) {
                continue; // a server that predates overall health: the counters' line stands
            }
            byOverall.merge(t.overallHealth(), 1L, Long::sum);
            if (!t.overallHealth().equals("healthy")) {
                affected.add(t.id() + " " + Rendering.targetHealth(t));
            }
        }
    }

    /** Volumes by status and where that came from ({@code recorded}, or {@code counters} when it cannot be read). */
    private record Volumes(String source, Map<String, Long> byStatus, String stateCommit, String desiredCommit) {
    }

    private Volumes volumes(CapacityJson capacity, List<String> problems) {
        Map<String, Long> byStatus = new TreeMap<>();
        try {
            VolumeListJson v = answering.get("/v1/volumes", VolumeListJson.class);
            v.items().forEach(i -> byStatus.merge(i.status(), 1L, Long::sum));
            return new Volumes("recorded", byStatus, v.stateCommit(), v.desiredCommit());
        } catch (ServerException e) {
            problems.add("volumes: " + e.getMessage());
            if (capacity != null) {
                byStatus.putAll(flat(capacity.volumes()));
            }
            return new Volumes("counters", byStatus, "", "");
        }
    }

    private static ClusterStatus.Pass lastPass(ServerClient c, String id, long now, List<String> problems) {
        ReconcileResultsJson results;
        try {
            results = c.get("/v1/reconcile/results", ReconcileResultsJson.class);
        } catch (ServerException e) {
            problems.add(id + ": " + brief(e)); // e.g. no Git remote: it does not reconcile
            return null;
        }
        if (results.results().isEmpty()) {
            return null;
        }
        PassResult p = results.results().get(0);
        return new ClusterStatus.Pass(p.outcome(), p.at(), ClusterStatus.age(p.at(), now), p.millis(),
                p.ownedVolumes(), p.message());
    }

    /** The failure without the advice on starting a demo, which fits the first instance, not a member. */
    private static String brief(ServerException e) {
        String m = e.getMessage();
        int advice = m.indexOf("; is it running?");
        return advice < 0 ? m : m.substring(0, advice);
    }

    private static Map<String, Map<String, Long>> nested(Map<String, Map<String, Long>> m) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        m.forEach((k, v) -> {
            Map<String, Long> inner = flat(v);
            if (!inner.isEmpty()) {
                out.put(k, inner);
            }
        });
        return out;
    }

    private static Map<String, Long> flat(Map<String, Long> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> {
            if (v != 0) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Unhealthy first, then degraded, then healthy. */
    private static int rank(InventoryJson.TargetJson target) {
        return switch (target.overallHealth()) {
            case "unhealthy" -> 0;
            case "degraded" -> 1;
            default -> 2;
        };
    }
}
