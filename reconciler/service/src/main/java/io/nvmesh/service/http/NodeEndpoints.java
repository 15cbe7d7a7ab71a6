package io.nvmesh.service.http;

import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.cluster.OwnershipTable;
import io.nvmesh.service.nodes.AgentHub;
import io.nvmesh.service.nodes.ReportedNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Targets, drives and clients as their agents reported them to this instance (the nodes it owns). */
final class NodeEndpoints {

    private final String self;
    private final AgentHub hub;
    private final OwnershipTable ownership;

    NodeEndpoints(String self, AgentHub hub, OwnershipTable ownership) {
        this.self = self;
        this.hub = hub;
        this.ownership = ownership;
    }

    List<Route> routes() {
        return List.of(
                Route.inline("GET", "/v1/targets", Access.READ, this::targets),
                Route.inline("GET", "/v1/targets/{id}", Access.READ, this::target),
                Route.inline("GET", "/v1/drives", Access.READ, this::drives),
                Route.inline("GET", "/v1/clients", Access.READ, this::clients));
    }

    private ApiResponse targets(ApiRequest request) {
        List<NodesJson.TargetJson> items = hub.targets().stream().map(n -> NodesJson.TargetJson.of(n,
                hub.command(NodeKind.TARGET, n.id()).orElse(null))).toList();
        return ApiResponse.ok(new NodesJson.ListJson<>(self, "owned", items.size(), items));
    }

    private ApiResponse target(ApiRequest request) {
        String id = request.pathParam("id");
        Optional<ReportedNode> t = hub.target(id);
        if (t.isEmpty()) {
            String owner = ownership.current().ownerOrPreferred(NodeKind.TARGET.key(id));
            throw ApiException.notFound(owner.equals(self) ? "target " + id + " has not connected to its owner "
                    + self : "target " + id + " is owned by " + owner + "; ask that instance");
        }
        return ApiResponse.ok(NodesJson.TargetJson.of(t.get(), hub.command(NodeKind.TARGET, id).orElse(null)));
    }

    private ApiResponse drives(ApiRequest request) {
        Optional<DriveHealth> health = request.optionalParam("health").map(NodeEndpoints::health);
        Optional<String> target = request.optionalParam("target");
        List<NodesJson.DriveJson> items = new ArrayList<>();
        for (ReportedNode t : hub.targets()) {
            if (target.isPresent() && !target.get().equals(t.id())) {
                continue;
            }
            t.drives().stream().filter(d -> health.isEmpty() || d.health() == health.get())
                    .forEach(d -> items.add(NodesJson.DriveJson.of(t, d)));
        }
        items.sort((a, b) -> a.serial().compareTo(b.serial()));
        return ApiResponse.ok(new NodesJson.ListJson<>(self, "owned", items.size(), items));
    }

    private static DriveHealth health(String text) {
        try {
            return DriveHealth.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("health must be one of " + Arrays.stream(DriveHealth.values())
                    .map(NodesJson::lower).toList() + ", got " + text);
        }
    }

    private ApiResponse clients(ApiRequest request) {
        List<NodesJson.ClientJson> items = hub.clients().stream().map(n -> NodesJson.ClientJson.of(n,
                hub.command(NodeKind.CLIENT, n.id()).orElse(null))).toList();
        return ApiResponse.ok(new NodesJson.ListJson<>(self, "owned", items.size(), items));
    }
}
