package io.nvmesh.cli.remote;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code nvmesh status} shows, as values: its {@code -o json} form ({@link #FORMAT_VERSION}) and the source of
 * the one-screen text. Each part says where its figures came from, because the counters may still be empty while the
 * recorded state is not.
 *
 * @param answering the instance that answered {@code --server}
 * @param members   every configured member as the answering instance sees it, with what each said itself
 * @param problems  what could not be read (a member that did not answer, an instance without a Git remote)
 */
record ClusterStatus(int formatVersion, String server, String answering, long at, List<Member> members,
                           Balance balance, Health health, Capacity capacity, List<String> problems) {

    /** Bumped when a field changes meaning or disappears; fields may be added within a version. */
    public static final int FORMAT_VERSION = 1;

    public ClusterStatus {
        members = List.copyOf(members);
        problems = List.copyOf(problems);
    }

    /**
     * @param epoch          start time of this incarnation, epoch milliseconds (0 if never heard from)
     * @param uptimeMillis   as the member said itself; -1 when it was not asked or did not answer
     * @param targets        agents connected to it, as it last said in a heartbeat
     * @param ownedVolumes   volume keys it owns
     * @param lastPass       its latest reconcile pass, null when it has none or did not answer
     */
    public record Member(String id, String url, boolean alive, boolean answering, long epoch, int incarnations,
                         long silentForMillis, long uptimeMillis, int targets, int clients, int ownedVolumes,
                         Pass lastPass) {
    }

    /** @param ageMillis how long ago the pass ended, as seen by this command's clock */
    public record Pass(String outcome, String at, long ageMillis, long millis, int ownedVolumes, String message) {
    }

    /** Max over average of live members; 1.0 is perfect, the ownership bound is 1 + ε. */
    public record Balance(Spread nodes, Spread volumes) {
    }

    public record Spread(Map<String, Integer> perMember, int total, double maxOverAverage) {

        public Spread {
            perMember = java.util.Collections.unmodifiableMap(new TreeMap<>(perMember));
        }

        static Spread of(Map<String, Integer> perMember) {
            int total = perMember.values().stream().mapToInt(Integer::intValue).sum();
            int max = perMember.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            double avg = perMember.isEmpty() ? 0 : (double) total / perMember.size();
            return new Spread(perMember, total, avg == 0 ? 0 : Math.round(max / avg * 100) / 100.0);
        }
    }

    /**
     * @param source  {@code counters} or {@code recorded} (the recorded inventory, when the counters are empty)
     * @param servers kind → health → count
     * @param drives  health → count
     * @param volumes status → count, from the recorded state (or the counters when it cannot be read)
     * @param volumesSource {@code recorded} or {@code counters}
     * @param targets targets by overall health (the worse of their own and their drives'), from the recorded
     *                inventory; empty when it could not be read
     * @param affectedTargets the targets that are not plainly healthy, worst first: {@code t-002 degraded: 1 drive
     *                failed}
     */
    public record Health(String source, Map<String, Map<String, Long>> servers, Map<String, Long> drives,
                         String volumesSource, Map<String, Long> volumes, String stateCommit,
                         String desiredCommit, Map<String, Long> targets, List<String> affectedTargets) {

        public Health {
            targets = java.util.Collections.unmodifiableMap(new TreeMap<>(targets));
            affectedTargets = List.copyOf(affectedTargets);
        }
    }

    /**
     * Bytes from the counters ({@code GET /v1/capacity}); {@code consistent} false when the read fell between two
     * halves of a replicated change.
     */
    public record Capacity(long total, long free, long allocated, long data, long redundant, long withheld,
                           long offline, double percentFree, boolean consistent, long recordedRawBytes) {
    }

    /** Age of an ISO-8601 instant at {@code now}, or -1 when it does not parse. */
    static long age(String at, long now) {
        try {
            return Math.max(0, now - Instant.parse(at).toEpochMilli());
        } catch (DateTimeParseException | NullPointerException e) {
            return -1;
        }
    }

    /** Health counts as one line: {@code 20 (healthy 19, unhealthy 1)}. */
    static String counts(Map<String, Long> byState) {
        long total = byState.values().stream().mapToLong(Long::longValue).sum();
        List<String> parts = new ArrayList<>();
        byState.forEach((k, v) -> parts.add(k + " " + v));
        return total + (parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")");
    }
}
