package io.nvmesh.service.http;

import io.nvmesh.api.InventoryJson;
import io.nvmesh.api.InventoryJson.ClientJson;
import io.nvmesh.api.InventoryJson.DriveJson;
import io.nvmesh.api.InventoryJson.TargetJson;
import io.nvmesh.api.LargestVolumeJson;
import io.nvmesh.api.ReconcileResultsJson;
import io.nvmesh.api.VolumeJson;
import io.nvmesh.api.VolumeJson.SegmentJson;
import io.nvmesh.api.VolumeListJson;
import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.DesiredState;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.DesiredState;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Planner;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.schema.VolumePolicy;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import io.nvmesh.service.reconcile.ReconcileLoop;
import io.nvmesh.service.web.OverallHealth;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Volumes and inventory as recorded on the state ref (the whole fleet, whichever instance answers), the reconcile
 * loop's latest results, and the Git hook that asks for a pass at once.
 */
final class VolumeEndpoints {

    /** A manifest name, as the schemas' {@code name} rule says; anything else cannot be a policy. */
    private static final java.util.regex.Pattern POLICY_NAME = java.util.regex.Pattern.compile(
            "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private final String self;
    private final Optional<ReconcileLoop> reconcile;
    /** The desired state the loop last observed: what a volume not placed yet asks for. */
    private volatile DesiredState desired = DesiredState.of(List.of(), List.of());

    VolumeEndpoints(String self, Optional<ReconcileLoop> reconcile) {
        this.self = self;
        this.reconcile = reconcile;
        reconcile.ifPresent(l -> l.addStateListener((state, d) -> desired = d));
    }

    List<Route> routes() {
        return List.of(
                // Offloaded: they read the state ref from Git.
                Route.offloaded("GET", "/v1/volumes", Access.READ, this::volumes),
                Route.offloaded("GET", "/v1/volumes/{name}", Access.READ, this::volume),
                Route.offloaded("GET", "/v1/inventory", Access.READ, this::inventory),
                // Offloaded: it reads both refs and searches the fleet as the planner would.
                Route.offloaded("GET", "/v1/capacity/largest", Access.READ, this::largest),
                Route.inline("GET", "/v1/reconcile/results", Access.READ, this::results),
                Route.inline("POST", "/v1/hooks/git", Access.WRITE, this::hook));
    }

    record HookJson(String instance, String status) {
    }

    private ReconcileLoop loop() {
        return reconcile.orElseThrow(() -> new ApiException(503, "no-git-remote", "No Git remote",
                "instance " + self + " has no git.remote configured, so it neither reconciles nor reads recorded "
                        + "state", Map.of()));
    }

    private ApiResponse volumes(ApiRequest request) {
        RecordedState state = loop().recorded();
        List<VolumeListJson.SummaryJson> items = new ArrayList<>();
        for (VolumeRecord r : state.volumes().values()) {
            Optional<VolumeAllocation> a = r.allocation();
            items.add(new VolumeListJson.SummaryJson(r.name(), r.status().wireName(), r.reason(), r.deletionProtection(),
                    a.map(VolumeAllocation::policy).orElse(""), a.map(v -> lower(v.layout())).orElse(""),
                    a.map(VolumeAllocation::size).orElse(0L), a.map(v -> v.extents().size()).orElse(0),
                    owner(r.name())));
        }
        return ApiResponse.ok(new VolumeListJson(self, state.commitId(), state.reconciled().desiredCommit(),
                items.size(), items));
    }

    private ApiResponse volume(ApiRequest request) {
        String name = request.pathParam("name");
        RecordedState state = loop().recorded();
        VolumeRecord r = state.volumes().get(name);
        if (r == null) {
            throw ApiException.notFound("no volume " + name + " is recorded (not desired, or not reconciled yet)");
        }
        Map<String, String> targetOf = targetOfSerial(state.inventory());
        List<SegmentJson> segments = new ArrayList<>();
        r.allocation().ifPresent(a -> {
            for (Chunk c : a.chunks()) {
                for (Group g : c.groups()) {
                    for (Segment s : g.segments()) {
                        segments.add(new SegmentJson(c.index(), g.index(), s.index(), lower(s.role()),
                                s.extent().serial(), targetOf.getOrDefault(s.extent().serial(), ""),
                                s.extent().offset(), s.extent().length()));
                    }
                }
            }
        });
        Optional<VolumeAllocation> a = r.allocation();
        DesiredState d = desired;
        Optional<Volume> wanted = d.volumes().stream().filter(v -> v.name().equals(name)).findFirst();
        Optional<VolumePolicy> policy = wanted.flatMap(v -> d.policy(v.policy()));
        return ApiResponse.ok(new VolumeJson(self, state.commitId(), r.name(), r.status().wireName(), r.reason(),
                r.deletionProtection(), a.map(VolumeAllocation::policy).or(() -> wanted.map(Volume::policy)).orElse(""),
                a.map(v -> lower(v.layout())).or(() -> policy.map(p -> lower(p.layout()))).orElse(""),
                a.map(v -> lower(v.protection())).or(() -> policy.map(p -> lower(p.protection()))).orElse(""),
                a.map(VolumeAllocation::size).orElse(0L), a.map(VolumeAllocation::placedCapacity).orElse(0L),
                wanted.map(v -> v.capacity().toString()).orElse(""), owner(r.name()), segments));
    }

    /**
     * What fits now: the planner's own search on this instance's view of the recorded state (allocations and held
     * space) and the desired branch's policies, classes and drive intents. Any instance answers alike.
     */
    private ApiResponse largest(ApiRequest request) {
        String policy = request.requiredParam("policy");
        if (!POLICY_NAME.matcher(policy).matches()) {
            throw ApiException.badRequest("query parameter `policy` is not a policy name (lower case letters, digits "
                    + "and '-', at most 63)");
        }
        ReconcileLoop loop = loop();
        RecordedState state = loop.recorded();
        DesiredState desired = loop.desired().orElse(null);
        VolumePolicy p = desired == null ? null : desired.policy(policy).orElse(null);
        if (p == null) {
            throw ApiException.notFound(desired == null ? "the desired branch has no valid manifests, so no policy "
                    + policy + " (nvmesh validate lists the problems)" : "no policy " + policy
                    + " is desired (nvmesh validate; policies are VolumePolicy manifests on the desired branch)");
        }
        long bytes = Planner.largestVolume(state.inventory(), state.allocations(), desired, policy);
        return ApiResponse.ok(new LargestVolumeJson(self, state.commitId(), p.name(), p.layout().yamlName(), bytes));
    }

    private ApiResponse inventory(ApiRequest request) {
        RecordedState state = loop().recorded();
        List<TargetJson> targets = new ArrayList<>();
        List<DriveJson> drives = new ArrayList<>();
        for (Target t : state.inventory().targets()) {
            var served = state.served().get(t.id());
            OverallHealth overall = OverallHealth.of(t.health(), t.drives().stream().map(Drive::health).toList());
            targets.add(new TargetJson(t.id(), lower(t.health()), overall.health(), overall.reason(), t.labels(),
                    t.drives().size(),
                    t.drives().stream().mapToLong(Drive::capacity).sum(), t.managed(),
                    served == null ? 0 : served.extents().size()));
            for (Drive d : t.drives()) {
                drives.add(new DriveJson(d.serial(), t.id(), d.capacity(), lower(d.health()), d.labels()));
            }
        }
        List<ClientJson> clients = state.inventory().clients().stream()
                .map(c -> new ClientJson(c.id(), c.labels())).toList();
        return ApiResponse.ok(new InventoryJson(self, state.commitId(), targets, drives, clients));
    }

    private ApiResponse results(ApiRequest request) {
        return ApiResponse.ok(new ReconcileResultsJson(self, loop().results()));
    }

    private ApiResponse hook(ApiRequest request) {
        loop().trigger();
        return new ApiResponse(202, new HookJson(self, "pass requested"));
    }

    private String owner(String volume) {
        return reconcile.map(l -> l.ownerOf(volume)).orElse("");
    }

    private static Map<String, String> targetOfSerial(Inventory inventory) {
        Map<String, String> m = new HashMap<>();
        inventory.targets().forEach(t -> t.drives().forEach(d -> m.put(d.serial(), t.id())));
        return m;
    }

    private static String lower(Object o) {
        return String.valueOf(o).toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
