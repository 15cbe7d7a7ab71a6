package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.CommitResult;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.StateStore;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** What the cluster tests with reconcile loops share: a mirror policy, desired commits, the recorded state. */
final class StateFixtures {

    static final Author TEST = new Author("test", "test@example.com");

    /** RAID-1 across racks. */
    static final String MIRROR_POLICY = """
            apiVersion: nvmesh.io/v1
            kind: VolumePolicy
            metadata:
              name: mirror
            spec:
              layout: raid1
              mirrors: 1
              protection: full
              domainScope: rack
            """;

    private StateFixtures() {
    }

    static RecordedState recorded(StateStore store) {
        return StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
    }

    static void commitDesired(StateStore store, Changes changes) {
        DesiredBranch b = new DesiredBranch(store, "main");
        CommitResult r = b.apply(b.read().commitId(), changes, "test", TEST);
        assertThat(r).isInstanceOf(CommitResult.Committed.class);
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
