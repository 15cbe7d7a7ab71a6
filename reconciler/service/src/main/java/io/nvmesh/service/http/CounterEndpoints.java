package io.nvmesh.service.http;

import io.nvmesh.service.counters.BucketDigest;
import io.nvmesh.service.counters.CounterEntry;
import io.nvmesh.service.counters.Counters;
import io.nvmesh.service.counters.EntryRules;
import io.nvmesh.service.counters.MergeOutcome;
import io.nvmesh.service.metrics.RefusalCounts;

import java.util.List;
import java.util.Map;

/**
 * The capacity query and the peer side of counter replication. All offloaded: they take the counters' lock or read
 * memory-mapped files. A peer is believed only about its own contributions: a push may carry only entries of the
 * calling instance, and a pull answers only with this instance's own entries. Every refusal is a problem and is
 * counted in {@code nvmesh_peer_refusals_total}.
 */
final class CounterEndpoints {

    /** Entries per push; the replicator sends far fewer, this bounds a hostile or buggy peer. */
    static final int MAX_BATCH = 2_000;

    /** The {@code endpoint} labels of refusals. */
    static final String PUSH = "counters";
    static final String PULL = "counters-pull";

    private final Counters counters;
    private final RefusalCounts refusals;

    CounterEndpoints(Counters counters, RefusalCounts refusals) {
        this.counters = counters;
        this.refusals = refusals;
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
        return ApiResponse.ok(CounterJson.capacity(counters.self(), counters.capacity(withTargets),
                withTargets));
    }

    private ApiResponse push(ApiRequest request) {
        String sender = request.caller().name();
        List<CounterEntry> entries;
        try {
            CounterJson.BatchJson batch = Json.read(request.body(), CounterJson.BatchJson.class);
            if (batch == null) {
                throw ApiException.badRequest("the body must be a batch of counter entries, not null");
            }
            if (batch.entries().size() > MAX_BATCH) {
                throw ApiException.badRequest("at most " + MAX_BATCH + " entries per batch, got "
                        + batch.entries().size());
            }
            if (batch.from() != null && !batch.from().equals(sender)) {
                throw ApiException.notYourId(request.caller(), "send counter entries as " + batch.from());
            }
            entries = batch.toEntries();
        } catch (ApiException e) {
            refusals.count(PUSH, e.type);
            throw e;
        }
        MergeOutcome outcome = counters.mergeFrom(sender, entries);
        if (outcome.clean()) {
            return ApiResponse.ok(new CounterJson.AcceptedJson(outcome.received(), outcome.accepted()));
        }
        EntryRules.Refusal first = outcome.first();
        refusals.count(PUSH, first.reason());
        throw switch (first.reason()) {
            case EntryRules.NOT_YOUR_ID -> ApiException.notYourId(request.caller(), "send counter entries of "
                    + "contributor \"" + first.entry().stamp().contributor() + "\"; nothing of the batch was merged");
            case EntryRules.UNKNOWN_PARTITION -> new ApiException(409, "unknown-partition", "Unknown partition",
                    outcome.refused().size() + " of " + outcome.received() + " entries count for partitions this "
                            + "instance does not know and were refused, the others merged (" + outcome.accepted()
                            + " changed something); first: " + first.describe(), Map.of());
            default -> new ApiException(400, "invalid-counter-entry", "Invalid counter entry",
                    (outcome.whole() ? "nothing of the batch was merged; " : outcome.refused().size()
                            + " entries refused, the others merged; ") + "first: " + first.describe(), Map.of());
        };
    }

    private ApiResponse pull(ApiRequest request) {
        String contributor = request.requiredParam("contributor");
        int bucket;
        try {
            bucket = Integer.parseInt(request.requiredParam("bucket"));
        } catch (NumberFormatException e) {
            refusals.count(PULL, "bad-request");
            throw ApiException.badRequest("query parameter `bucket` must be a number");
        }
        if (bucket < 0 || bucket > 255) {
            refusals.count(PULL, "bad-request");
            throw ApiException.badRequest("query parameter `bucket` is out of range");
        }
        if (!contributor.equals(counters.self())) {
            // Another contributor's entries are that contributor's to publish: relayed, they would be unverifiable.
            refusals.count(PULL, "not-own-contribution");
            throw new ApiException(403, "not-own-contribution", "Forbidden", counters.self() + " serves only its "
                    + "own counter entries; ask " + contributor + " for those of " + contributor, Map.of());
        }
        return ApiResponse.ok(CounterJson.BatchJson.of(counters.self(), counters.entriesOf(contributor, bucket)));
    }

    /** This instance's digests of its own entries: the only ones a peer may pull here. */
    private ApiResponse digest(ApiRequest request) {
        List<BucketDigest> digests = counters.digests();
        return ApiResponse.ok(new CounterJson.DigestsJson(counters.self(), digests.stream()
                .filter(d -> d.contributor().equals(counters.self())).map(CounterJson.DigestJson::of).toList()));
    }
}
