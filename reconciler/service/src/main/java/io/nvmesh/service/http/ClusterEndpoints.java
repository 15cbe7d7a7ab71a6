package io.nvmesh.service.http;

import io.nvmesh.api.ClusterJson;
import io.nvmesh.api.HealthJson;
import io.nvmesh.api.InstanceJson;
import io.nvmesh.service.cluster.Assignment;
import io.nvmesh.service.cluster.ClusterView;
import io.nvmesh.service.cluster.Membership;
import io.nvmesh.service.cluster.MemberStatus;
import io.nvmesh.service.cluster.Ownership;
import io.nvmesh.service.cluster.OwnershipRing;
import io.nvmesh.service.cluster.OwnershipTable;
import io.nvmesh.service.cluster.UnknownMemberException;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Health, membership, ownership and the peer heartbeat. */
final class ClusterEndpoints {

    /** A query may name this many keys; larger sets belong in the instance's own key catalogue. */
    static final int MAX_QUERY_KEYS = 10_000;

    private final Membership membership;
    private final java.time.Duration maxClockSkew;
    private final io.nvmesh.service.metrics.RefusalCounts refusals;
    private final OwnershipTable ownership;
    private final java.util.Optional<io.nvmesh.service.reconcile.ReconcileLoop> reconcile;

    ClusterEndpoints(Membership membership, OwnershipTable ownership,
                     java.util.Optional<io.nvmesh.service.reconcile.ReconcileLoop> reconcile,
                     java.time.Duration maxClockSkew, io.nvmesh.service.metrics.RefusalCounts refusals) {
        this.maxClockSkew = maxClockSkew;
        this.refusals = refusals;
        this.membership = membership;
        this.ownership = ownership;
        this.reconcile = reconcile;
    }

    List<Route> routes() {
        return List.of(
                Route.inline("GET", "/healthz", Access.PUBLIC, this::health),
                Route.inline("GET", "/readyz", Access.PUBLIC, this::ready),
                // Offloaded: with ?key=... it assigns the given keys on the spot, O(keys x members).
                Route.offloaded("GET", "/v1/cluster", Access.READ, this::cluster),
                Route.inline("GET", "/v1/cluster/owner", Access.READ, this::owner),
                Route.inline("GET", "/v1/instance", Access.READ,
                        r -> ApiResponse.ok(instance(membership.selfId(), membership.epoch()))),
                Route.inline("POST", "/v1/peer/heartbeat", Access.PEER, this::heartbeat));
    }

    private ApiResponse health(ApiRequest request) {
        return ApiResponse.ok(new HealthJson("ok", membership.selfId(), membership.epoch()));
    }

    /**
     * Ready while this instance may write recorded state: not when the state ref is lost, unreadable or replaced, or
     * an object it needs is damaged (then 503 with the reason). {@code /healthz} stays ok: the process is alive and
     * serves reads; it is the writes that wait for a person.
     */
    private ApiResponse ready(ApiRequest request) {
        String why = reconcile.map(io.nvmesh.service.reconcile.ReconcileLoop::stateUnavailable).orElse("");
        if (why.isEmpty()) {
            return ApiResponse.ok(Map.of("status", "ready", "id", membership.selfId()));
        }
        return new ApiResponse(503, Map.of("status", "not-ready", "id", membership.selfId(), "reason", why));
    }

    private ApiResponse cluster(ApiRequest request) {
        ClusterView view = membership.currentView();
        List<String> queried = request.params("key");
        if (queried.isEmpty()) {
            return ApiResponse.ok(clusterJson(membership, view, ownership.current(), "known"));
        }
        if (queried.size() > MAX_QUERY_KEYS) {
            throw ApiException.badRequest("at most " + MAX_QUERY_KEYS + " keys per query, got " + queried.size());
        }
        return ApiResponse.ok(clusterJson(membership, view, assign(view, queried), "query"));
    }

    /** The {@code GET /v1/cluster} answer (also the payload of {@code cluster} events). */
    static ClusterJson clusterJson(Membership membership, ClusterView view, Ownership own, String source) {
        Map<String, Integer> counts = own.counts();
        List<ClusterJson.MemberJson> members = new ArrayList<>();
        for (MemberStatus m : view.members()) {
            members.add(new ClusterJson.MemberJson(m.id(), m.url().toString(), m.self(), m.alive(), m.epoch(),
                    m.incarnations(), m.silentForMillis(), counts.getOrDefault(m.id(), 0), m.agents()));
        }
        Map<String, Integer> capacity = new TreeMap<>();
        own.bySpace().forEach((space, a) -> capacity.put(space, a.capacity()));
        ClusterJson.OwnershipJson ownershipJson = new ClusterJson.OwnershipJson(source, own.keyCount(),
                own.ring().epsilon(), own.digest(), own.membershipVersion(), capacity, own.countsBySpace());
        return new ClusterJson(view.self(), membership.epoch(), view.version(), view.live(), members, ownershipJson);
    }

    /** The {@code GET /v1/instance} answer: this process's own figures, read from the JVM's management beans. */
    static InstanceJson instance(String id, long epoch) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long afterGc = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage u = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
            if (u != null) {
                afterGc += u.getUsed();
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            cpu = nanos < 0 ? -1 : nanos / 1_000_000;
        }
        return new InstanceJson(id, epoch, ManagementFactory.getRuntimeMXBean().getUptime(),
                Runtime.version().toString(), Runtime.getRuntime().availableProcessors(), heap.getUsed(),
                heap.getCommitted(), heap.getMax(), afterGc, threads.getThreadCount(), cpu);
    }

    private Ownership assign(ClusterView view, List<String> keys) {
        OwnershipRing ring = OwnershipRing.of(view.live(), ownership.current().ring().epsilon());
        Map<String, List<String>> bySpace = new TreeMap<>();
        keys.forEach(k -> bySpace.computeIfAbsent(Ownership.spaceOf(k), s -> new ArrayList<>()).add(k));
        Map<String, Assignment> assignments = new TreeMap<>();
        bySpace.forEach((space, spaceKeys) -> assignments.put(space, ring.assign(spaceKeys)));
        return new Ownership(view.version(), ring, assignments);
    }

    private ApiResponse owner(ApiRequest request) {
        String key = request.requiredParam("key");
        Ownership own = ownership.current();
        String owner = own.ownerOrPreferred(key);
        return ApiResponse.ok(new OwnerJson(key, owner, owner.equals(membership.selfId()), own.isKnown(key),
                own.membershipVersion(), own.ring().ranking(key)));
    }

    private ApiResponse heartbeat(ApiRequest request) {
        try {
            return heartbeatOf(request);
        } catch (ApiException e) {
            refusals.count("heartbeat", e.type);
            throw e;
        }
    }

    private ApiResponse heartbeatOf(ApiRequest request) {
        HeartbeatJson body = Json.read(request.body(), HeartbeatJson.class);
        if (!request.caller().isInstance(body.id())) {
            throw ApiException.notYourId(request.caller(), "send heartbeats as " + body.id());
        }
        try {
            return ApiResponse.ok(HeartbeatJson.of(membership.onHeartbeat(
                    body.toHeartbeat(System.currentTimeMillis() + maxClockSkew.toMillis()))));
        } catch (UnknownMemberException e) {
            throw ApiException.conflict("unknown-peer", "Unknown peer", e.getMessage());
        } catch (Membership.StoppingException e) {
            throw new ApiException(503, "stopping", "Stopping", e.getMessage(), Map.of());
        }
    }
}
