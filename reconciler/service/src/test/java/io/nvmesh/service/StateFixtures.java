package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.Policies;
import io.nvmesh.core.testing.TestRepo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** What the cluster tests with reconcile loops share: a mirror policy, desired commits, the recorded state. */
final class StateFixtures {

    static final Author TEST = new Author("test", "test@example.com");

    /** RAID-1 across racks. */
    static final String MIRROR_POLICY = Policies.MIRROR;

    private StateFixtures() {
    }

    /**
     * {@code size} instances reconciling one repository whose only desired file is {@link #MIRROR_POLICY}, polled
     * every 2 s (the default): the set-up of the tests that follow one mirrored volume through its agents' acks.
     */
    static ClusterExtension mirrorCluster(int size, Duration heartbeat) {
        return ClusterExtension.of(size).heartbeat(heartbeat, 3).reconciling(Duration.ofSeconds(2))
                .desired(repo -> repo.desired().put("policies.yaml", MIRROR_POLICY).author(TEST).commit());
    }

    /** A deletable mirrored volume {@code db-01} of 20 GiB attached to {@code c-001}. */
    static final String DB_01 = Policies.volumeFor("c-001", "db-01", "mirror", "20GiB");

    static RecordedState recorded(StateStore store) {
        return TestRepo.of(store).recorded();
    }

    static void commitDesired(StateStore store, Changes changes) {
        TestRepo.of(store).desired().changes(changes).author(TEST).commit();
    }

    /** Counter to (expected, actual) where they differ: a readable failure. */
    static Map<String, List<Long>> difference(Map<String, Long> expected, Map<String, Long> actual) {
        Map<String, List<Long>> out = new TreeMap<>();
        Set<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String k : keys) {
            long e = expected.getOrDefault(k, 0L);
            long a = actual.getOrDefault(k, 0L);
            if (e != a) {
                out.put(k, List.of(e, a));
            }
        }
        return out;
    }
}
