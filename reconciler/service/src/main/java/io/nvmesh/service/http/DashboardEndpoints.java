package io.nvmesh.service.http;

import io.nvmesh.core.allocation.Usage;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.cluster.MemberStatus;
import io.nvmesh.service.cluster.Membership;
import io.nvmesh.service.cluster.OwnershipTable;
import io.nvmesh.service.nodes.AgentHub;
import io.nvmesh.service.reconcile.ReconcileLoop;
import io.nvmesh.service.web.CapacityHistory;
import io.nvmesh.service.web.FleetTable;
import io.nvmesh.service.web.PerformanceHistory;
import io.nvmesh.service.web.PerformanceHistory.Sample;
import io.nvmesh.service.web.VolumeLayout;
import io.nvmesh.service.web.VolumePerformance;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.eclipse.jetty.client.HttpClient;

/**
 * Read-only JSON the dashboard needs beyond the REST API: the fleet's targets and drives one page at a time, a
 * volume's layout with the racks its segments sit in, performance histories and the cluster's capacity over time. A target's history lives on its
 * owner; any instance answers by asking the owner (with the peer secret), so the page talks to one origin only.
 */
final class DashboardEndpoints implements AutoCloseable {

    static final int DEFAULT_LIMIT = 50;
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(3);

    record SeriesJson(List<Long> at, List<Long> readIops, List<Long> writeIops, List<Long> readBytesPerSecond,
                      List<Long> writeBytesPerSecond, List<Long> latencyP50Micros, List<Long> latencyP99Micros) {

        static SeriesJson of(List<Sample> samples) {
            int n = samples.size();
            List<Long> at = new ArrayList<>(n);
            List<Long> ri = new ArrayList<>(n);
            List<Long> wi = new ArrayList<>(n);
            List<Long> rb = new ArrayList<>(n);
            List<Long> wb = new ArrayList<>(n);
            List<Long> p50 = new ArrayList<>(n);
            List<Long> p99 = new ArrayList<>(n);
            for (Sample s : samples) {
                at.add(s.atMillis());
                ri.add(s.performance().readIops());
                wi.add(s.performance().writeIops());
                rb.add(s.performance().readBytesPerSecond());
                wb.add(s.performance().writeBytesPerSecond());
                p50.add(s.performance().latencyP50Micros());
                p99.add(s.performance().latencyP99Micros());
            }
            return new SeriesJson(at, ri, wi, rb, wb, p50, p99);
        }

        List<Sample> toSamples() {
            List<Sample> out = new ArrayList<>(at.size());
            for (int i = 0; i < at.size(); i++) {
                out.add(new Sample(at.get(i), new io.nvmesh.service.agent.Performance(readIops.get(i),
                        writeIops.get(i), readBytesPerSecond.get(i), writeBytesPerSecond.get(i),
                        latencyP50Micros.get(i), latencyP99Micros.get(i))));
            }
            return out;
        }
    }

    /**
     * @param owner    the instance that holds the history
     * @param derived  for a volume: how the figures were obtained (see docs/dashboard.md)
     * @param missing  targets whose history could not be had (owner unreachable, or not reported yet)
     */
    record PerformanceJson(String instance, String subject, String owner, long intervalMillis, int capacity,
                           String derived, List<String> missing, SeriesJson series) {
    }

    /** The cluster's bytes over time, one list per figure, oldest first ({@link CapacityHistory}). */
    record CapacitySeriesJson(List<Long> at, List<Long> total, List<Long> free, List<Long> allocated,
                              List<Long> data, List<Long> redundant, List<Long> withheld, List<Long> offline) {

        static CapacitySeriesJson of(List<CapacityHistory.Sample> samples) {
            List<List<Long>> c = new ArrayList<>();
            for (int k = 0; k < 8; k++) {
                c.add(new ArrayList<>(samples.size()));
            }
            for (CapacityHistory.Sample s : samples) {
                Usage u = s.cluster();
                long[] row = {s.atMillis(), u.total(), u.free(), u.allocated(), u.data(), u.redundant(), u.withheld(),
                    u.offline()};
                for (int k = 0; k < row.length; k++) {
                    c.get(k).add(row[k]);
                }
            }
            return new CapacitySeriesJson(c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5), c.get(6),
                    c.get(7));
        }
    }

    /** @param intervalMillis how often the counters are copied; {@code capacity} samples are kept */
    record CapacityHistoryJson(String instance, long intervalMillis, int capacity, CapacitySeriesJson series) {
    }

    private final String self;
    private final Optional<ReconcileLoop> reconcile;
    private final Membership membership;
    private final OwnershipTable ownership;
    private final AgentHub agents;
    private final PerformanceHistory history;
    private final CapacityHistory capacityHistory;
    private final long intervalMillis;
    private final HttpClient peers;
    private final String peerAuthorization;

    DashboardEndpoints(Membership membership, OwnershipTable ownership, AgentHub agents,
                       Optional<ReconcileLoop> reconcile, PerformanceHistory history,
                       CapacityHistory capacityHistory, Duration reportInterval, String ownToken,
                       Optional<io.nvmesh.service.config.TlsConfig> tls) {
        this.self = membership.selfId();
        this.membership = membership;
        this.ownership = ownership;
        this.agents = agents;
        this.reconcile = reconcile;
        this.history = history;
        this.capacityHistory = capacityHistory;
        this.intervalMillis = reportInterval.toMillis();
        this.peers = PeerCalls.startClient("nvmesh-perf-client-" + self, PEER_TIMEOUT, tls);
        this.peerAuthorization = "Bearer " + ownToken;
    }

    List<Route> routes() {
        return List.of(
                // Offloaded: they read the state ref from Git, or wait for the owner of a history.
                Route.offloaded("GET", "/v1/fleet/targets", Access.READ, this::targets),
                Route.offloaded("GET", "/v1/volumes/{name}/layout", Access.READ, this::layout),
                Route.offloaded("GET", "/v1/performance/targets/{id}", Access.READ, this::targetPerformance),
                Route.offloaded("GET", "/v1/performance/volumes/{name}", Access.READ, this::volumePerformance),
                Route.inline("GET", "/v1/peer/performance/targets/{id}", Access.PEER, this::peerPerformance),
                // Memory only, under a lock held for a copy of at most an hour of samples.
                Route.inline("GET", "/v1/capacity/history", Access.READ, this::capacityHistory));
    }

    private ReconcileLoop loop() {
        return reconcile.orElseThrow(() -> new ApiException(503, "no-git-remote", "No Git remote",
                "instance " + self + " has no git.remote configured, so it reads no recorded state", Map.of()));
    }

    private ApiResponse targets(ApiRequest request) {
        FleetTable.Query query;
        try {
            query = new FleetTable.Query(request.optionalParam("q").orElse(""),
                    request.optionalParam("problems").map(Boolean::parseBoolean).orElse(false),
                    new HashSet<>(request.params("id")), request.optionalParam("sort").orElse("id"),
                    request.optionalParam("order").map(o -> order(o)).orElse(false),
                    number(request, "offset", 0), number(request, "limit", DEFAULT_LIMIT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        RecordedState state = loop().recorded();
        List<FleetTable.TargetRow> rows = FleetTable.rows(state, agents.targets(),
                id -> ownership.current().ownerOrPreferred(NodeKind.TARGET.key(id)));
        return ApiResponse.ok(FleetTable.page(state.commitId(), rows, query));
    }

    private ApiResponse capacityHistory(ApiRequest request) {
        return ApiResponse.ok(new CapacityHistoryJson(self, capacityHistory.everyMillis(), capacityHistory.capacity(),
                CapacitySeriesJson.of(capacityHistory.samples())));
    }

    private static boolean order(String o) {
        return switch (o.toLowerCase(Locale.ROOT)) {
            case "asc" -> false;
            case "desc" -> true;
            default -> throw new IllegalArgumentException("order must be asc or desc, got " + o);
        };
    }

    private static int number(ApiRequest request, String name, int fallback) {
        Optional<String> v = request.optionalParam(name);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.get());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("query parameter `" + name + "` must be a number, got " + v.get());
        }
    }

    private ApiResponse layout(ApiRequest request) {
        return ApiResponse.ok(layoutOf(request.pathParam("name")));
    }

    private VolumeLayout.View layoutOf(String name) {
        ReconcileLoop loop = loop();
        return VolumeLayout.of(loop.recorded(), name, loop.ownerOf(name)).orElseThrow(() -> ApiException.notFound(
                "no volume " + name + " is recorded (not desired, or not reconciled yet)"));
    }

    private ApiResponse targetPerformance(ApiRequest request) {
        String id = request.pathParam("id");
        String owner = ownerOf(id);
        if (owner.equals(self) || history.knows(id)) {
            return ApiResponse.ok(local(id));
        }
        try {
            return ApiResponse.ok(fromOwner(id, owner).get(PEER_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(id, owner, e);
        } catch (ExecutionException | TimeoutException e) {
            throw unavailable(id, owner, e);
        }
    }

    private static ApiException unavailable(String id, String owner, Exception e) {
        return new ApiException(502, "owner-unreachable", "Owner unreachable", "the performance of " + id
                + " is kept by its owner " + owner + ", which did not answer: " + e.getMessage(), Map.of());
    }

    private ApiResponse peerPerformance(ApiRequest request) {
        return ApiResponse.ok(local(request.pathParam("id")));
    }

    private PerformanceJson local(String id) {
        return new PerformanceJson(self, "target/" + id, self, intervalMillis, history.capacity(), "",
                history.knows(id) ? List.of() : List.of(id), SeriesJson.of(history.of(id)));
    }

    private CompletableFuture<PerformanceJson> fromOwner(String id, String owner) {
        Optional<URI> url = membership.view().members().stream().filter(m -> m.id().equals(owner) && m.alive())
                .map(MemberStatus::url).findFirst();
        if (url.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException(owner + " is not a live member"));
        }
        String target = url.get().toString().replaceAll("/+$", "") + "/v1/peer/performance/targets/" + id;
        return PeerCalls.send(peers.newRequest(target), peerAuthorization, PEER_TIMEOUT.toMillis(), 1 << 20,
                bytes -> Json.read(bytes, PerformanceJson.class));
    }

    private ApiResponse volumePerformance(ApiRequest request) {
        VolumeLayout.View view = layoutOf(request.pathParam("name"));
        Map<String, Double> shares = new LinkedHashMap<>();
        Map<String, CompletableFuture<List<Sample>>> pending = new LinkedHashMap<>();
        for (VolumeLayout.TargetShare s : view.targets()) {
            shares.put(s.target(), s.share());
            String owner = ownerOf(s.target());
            pending.put(s.target(), owner.equals(self) || history.knows(s.target())
                    ? CompletableFuture.completedFuture(history.of(s.target()))
                    : fromOwner(s.target(), owner).thenApply(p -> p.series().toSamples()));
        }
        Map<String, List<Sample>> histories = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        long deadline = System.nanoTime() + PEER_TIMEOUT.plusMillis(500).toNanos();
        pending.forEach((target, f) -> {
            try {
                List<Sample> samples = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                histories.put(target, samples);
                if (samples.isEmpty()) {
                    missing.add(target);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                missing.add(target);
            } catch (ExecutionException | TimeoutException e) {
                missing.add(target);
            }
        });
        List<Sample> derived = VolumePerformance.derive(shares, histories, intervalMillis);
        return ApiResponse.ok(new PerformanceJson(self, "volume/" + view.name(), view.owner(), intervalMillis,
                history.capacity(), "targets-by-byte-share", missing, SeriesJson.of(derived)));
    }

    private String ownerOf(String targetId) {
        return ownership.current().ownerOrPreferred(NodeKind.TARGET.key(targetId));
    }

    @Override
    public void close() {
        try {
            peers.stop();
        } catch (Exception e) {
            // Best effort: the client's threads are daemons.
        }
    }
}
