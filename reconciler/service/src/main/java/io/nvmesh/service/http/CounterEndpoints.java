package io.nvmesh.service.http;

import io.nvmesh.service.counters.BucketDigest;
import io.nvmesh.service.counters.Counters;

import java.util.List;

/**
 * The capacity query and the peer side of counter replication. All offloaded: they take the counters' lock or read
 * memory-mapped files.
 */
final class CounterEndpoints {

    /** Entries per push; the replicator sends far fewer, this bounds a hostile or buggy peer. */
    static final int MAX_BATCH = 2_000;

    private final Counters counters;

    CounterEndpoints(Counters counters) {
        this.counters = counters;
    }

    List<Route> routes() {
        return List.of(
                Route.offloaded("GET", "/v1/capacity", Access.READ, this::capacity),
                Route.offloaded("POST", "/v1/peer/counters", Access.PEER, this::push),
                Route.offloaded("GET", "/v1/peer/counters", Access.PEER, this::pull),
                Route.offloaded("GET", "/v1/peer/counters/digest", Access.PEER, this::digest));
    }

    private ApiResponse capacity(ApiRequest request) {
        List<String> targets = request.params("targets");
        boolean withTargets = !targets.isEmpty() && targets.get(0).equals("true");
        return ApiResponse.ok(CounterJson.CapacityJson.of(counters.self(), counters.capacity(withTargets),
                withTargets));
    }

    private ApiResponse push(ApiRequest request) {
        CounterJson.BatchJson batch = Json.read(request.body(), CounterJson.BatchJson.class);
        if (batch.entries().size() > MAX_BATCH) {
            throw ApiException.badRequest("at most " + MAX_BATCH + " entries per batch, got " + batch.entries().size());
        }
        int accepted = counters.merge(batch.toEntries());
        return ApiResponse.ok(new CounterJson.AcceptedJson(batch.entries().size(), accepted));
    }

    private ApiResponse pull(ApiRequest request) {
        String contributor = request.requiredParam("contributor");
        int bucket;
        try {
            bucket = Integer.parseInt(request.requiredParam("bucket"));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("query parameter `bucket` must be a number");
        }
        if (bucket < 0 || bucket > 255) {
            throw ApiException.badRequest("query parameter `bucket` is out of range");
        }
        return ApiResponse.ok(CounterJson.BatchJson.of(counters.self(), counters.entriesOf(contributor, bucket)));
    }

    private ApiResponse digest(ApiRequest request) {
        List<BucketDigest> digests = counters.digests();
        return ApiResponse.ok(new CounterJson.DigestsJson(counters.self(),
                digests.stream().map(CounterJson.DigestJson::of).toList()));
    }
}
