package io.nvmesh.service.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.service.agent.AgentProtocol;
import io.nvmesh.service.cluster.HeartbeatTransport;
import io.nvmesh.service.cluster.Member;
import io.nvmesh.service.cluster.Membership;
import io.nvmesh.service.cluster.OwnershipTable;
import io.nvmesh.service.nodes.AgentHub;
import io.nvmesh.service.web.CapacityHistory;
import io.nvmesh.service.web.PerformanceHistory;
import io.nvmesh.service.web.StaticAssets;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** docs/openapi.yaml documents every route the server has, with the right method. */
class OpenApiDocumentTest {

    @Test
    @SuppressWarnings("unchecked")
    void everyRouteIsDocumentedWithItsMethod() throws IOException {
        Path doc = Path.of(System.getProperty("user.dir")).resolve("../../docs/openapi.yaml").normalize();
        Map<String, Object> api = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(doc));
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) api.get("paths");
        HeartbeatTransport none = (peer, beat) -> new CompletableFuture<>();
        try (Membership m = Membership.create(new Member("r1", URI.create("http://127.0.0.1:1")), 1, List.of(),
                Duration.ofSeconds(1), 3, none, System::nanoTime)) {
            OwnershipTable ownership = OwnershipTable.following(m, 0.25);
            List<Route> routes = new ArrayList<>(new ClusterEndpoints(m, ownership, java.util.Optional.empty(),
                java.time.Duration.ofMinutes(5), new io.nvmesh.service.metrics.RefusalCounts()).routes());
            try (AgentHub hub = AgentHub.start(m, ownership, Duration.ofSeconds(1), Duration.ofSeconds(1));
                 PerformanceHistory history = PerformanceHistory.manual(1);
                 CapacityHistory capacity = CapacityHistory.manual(1, Duration.ofSeconds(1));
                 DashboardEndpoints dashboard = new DashboardEndpoints(m, ownership, hub, java.util.Optional.empty(),
                         history, capacity, Duration.ofSeconds(1), "", java.util.Optional.empty())) {
                routes.addAll(new NodeEndpoints("r1", hub, ownership).routes());
                routes.addAll(dashboard.routes());
            }
            // The dashboard's files are served in front of the router: the page, and the rest as /ui/{asset}.
            StaticAssets.load().all().keySet().forEach(path -> routes.add(Route.inline("GET",
                    path.startsWith("/ui/") ? "/ui/{asset}" : path, Access.PUBLIC, request -> null)));
            routes.addAll(new VolumeEndpoints("r1", java.util.Optional.empty()).routes());
            // The agent WebSocket is documented as the GET that it upgrades.
            routes.add(Route.inline("GET", AgentProtocol.PATH, Access.AGENT, request -> null));
            routes.addAll(new CounterEndpoints(null, null).routes());
            // The event stream is served in front of the router; documented as the GET it is.
            routes.add(Route.inline("GET", EventEndpoints.STREAM, Access.READ, request -> null));
            routes.add(Route.inline("GET", EventSocket.PATH, Access.READ, request -> null));
            routes.addAll(new EventEndpoints(null, "r1", java.util.Set.of()).routes());
            // So is /metrics (its answer is text, not JSON).
            routes.add(Route.inline("GET", MetricsEndpoint.PATH, Access.READ, request -> null));

            assertThat(api.get("openapi")).isEqualTo("3.1.0");
            for (Route r : routes) {
                assertThat(paths).as("documented paths").containsKey(r.path());
                assertThat(paths.get(r.path())).as("methods of %s", r.path()).containsKey(r.method().toLowerCase());
            }
            assertThat(paths).hasSameSizeAs(routes.stream().map(Route::path).distinct().toList());
        }
    }
}
