package io.nvmesh.service.http;

import io.nvmesh.api.CapacityJson;
import io.nvmesh.api.CapacityJson.UsageJson;
import io.nvmesh.core.allocation.Usage;
import io.nvmesh.service.counters.BucketDigest;
import io.nvmesh.service.counters.CapacitySnapshot;
import io.nvmesh.service.counters.CounterEntry;
import io.nvmesh.service.counters.Stamp;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Wire shapes of the counter endpoints between peers, and the capacity answer built from the counters. */
final class CounterJson {

    private CounterJson() {
    }

    /** One replicated entry: an absolute value with the stamp that orders it. */
    record EntryJson(String partition, String counter, long value, long term, String contributor, long epoch,
                     long seq) {

        static EntryJson of(CounterEntry e) {
            Stamp s = e.stamp();
            return new EntryJson(e.partition(), e.counter(), e.value(), s.term(), s.contributor(), s.epoch(), s.seq());
        }

        CounterEntry toEntry() {
            try {
                return new CounterEntry(partition, counter, value, new Stamp(term, contributor, epoch, seq));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw ApiException.badRequest("invalid counter entry: " + e.getMessage());
            }
        }
    }

    /** {@code POST /v1/peer/counters} body, and {@code GET /v1/peer/counters} answer. */
    record BatchJson(String from, List<EntryJson> entries) {

        BatchJson {
            entries = Json.listOf("entries", entries);
        }

        static BatchJson of(String from, List<CounterEntry> entries) {
            return new BatchJson(from, entries.stream().map(EntryJson::of).toList());
        }

        List<CounterEntry> toEntries() {
            return entries.stream().map(EntryJson::toEntry).toList();
        }
    }

    record AcceptedJson(int received, int accepted) {
    }

    record DigestJson(String contributor, int bucket, long count, long hash) {

        static DigestJson of(BucketDigest d) {
            return new DigestJson(d.contributor(), d.bucket(), d.count(), d.hash());
        }

        BucketDigest toDigest() {
            try {
                return new BucketDigest(contributor, bucket, count, hash);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("invalid digest: " + e.getMessage(), e);
            }
        }
    }

    /** {@code GET /v1/peer/counters/digest} answer. */
    record DigestsJson(String instance, List<DigestJson> digests) {

        DigestsJson {
            digests = digests == null ? List.of() : List.copyOf(digests);
        }
    }

    /** The {@code GET /v1/capacity} answer (also the payload of {@code capacity} events). */
    static CapacityJson capacity(String instance, CapacitySnapshot s, boolean withTargets) {
        return new CapacityJson(instance, s.consistent(), usage(s.cluster()), usage(s.byDomain()),
                usage(s.byDriveClass()), withTargets ? usage(s.byTarget()) : Map.of(), s.servers(), s.drives(),
                s.volumes());
    }

    private static UsageJson usage(Usage u) {
        return new UsageJson(u.total(), u.free(), u.allocated(), u.data(), u.redundant(), u.withheld(), u.offline());
    }

    private static Map<String, UsageJson> usage(Map<String, Usage> m) {
        Map<String, UsageJson> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, usage(v)));
        return out;
    }
}
