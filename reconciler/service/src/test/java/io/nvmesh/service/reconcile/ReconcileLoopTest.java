package io.nvmesh.service.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.Policies;
import io.nvmesh.core.testing.TestRepo;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.sim.SimulatedFleet;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One instance whose git.remote is a URL: it works through a mirror and pushes with a lease. */
class ReconcileLoopTest {

    private static final String AGENT = io.nvmesh.service.TestAuth.AGENT;
    private static final Author TEST = new Author("test", "test@example.com");

    @TempDir
    Path data;

    @Test
    void anInstanceReconcilesARemoteGivenByUrlAndAHookStartsAPassBeforeThePollInterval() {
        Path bare = data.resolve("remote.git");
        try (StateStore origin = StateStore.openOrCreate(bare)) {
            TestRepo.of(origin).desired().put("policies.yaml", Policies.MIRROR + """
                    ---
                    apiVersion: nvmesh.io/v1
                    kind: Volume
                    metadata:
                      name: first
                    spec:
                      policy: mirror
                      capacity: 10GiB
                      deletionProtection: false
                    """).commit();
            // A poll interval far longer than the test: only the start-up pass and triggers run.
            InstanceConfig config = InstanceConfig.defaults("r1", data.resolve("r1")).withListen("127.0.0.1", 0)
                    .withAuth(io.nvmesh.service.TestAuth.single())
                    .withGit(bare.toUri().toString(), "main", Duration.ofMinutes(10));
            try (ReconcilerNode node = ReconcilerNode.start(config);
                 SimulatedFleet fleet = SimulatedFleet.create(new SimulatedFleet.Spec(3, 2, 1, 5))) {
                fleet.connect(List.of(node.url()), AGENT);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(StateFiles.decodeStrict(
                        origin.read(StateStore.STATE_REF)).volumes().get("first")).isNotNull()
                        .satisfies(v -> assertThat(v.status()).isEqualTo(VolumeStatus.ONLINE)));

                TestRepo.of(origin).desired().put("second.yaml", """
                        apiVersion: nvmesh.io/v1
                        kind: Volume
                        metadata:
                          name: second
                        spec:
                          policy: mirror
                          capacity: 10GiB
                          deletionProtection: false
                        """).commit();
                ReconcileLoop loop = node.reconcile().orElseThrow();
                RecordedState before = loop.recorded();
                // Two reads of one state commit share one decoded state (asked again if a commit fell between them).
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    RecordedState once = loop.recorded();
                    assertThat(loop.recorded()).as("decoded once per state commit").isSameAs(once);
                });
                loop.trigger();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(StateFiles.decodeStrict(
                        origin.read(StateStore.STATE_REF)).volumes()).containsKey("second"));
                // The instance's reads follow the state ref once it moves (through its mirror for a URL remote).
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(loop.recorded().volumes())
                        .containsKeys("first", "second"));
                assertThat(loop.recorded().commitId()).isNotEqualTo(before.commitId());
            }
        }
    }

    @Test
    void withTrustedKeysConfiguredAnUnsignedDesiredCommitIsRefusedAndNothingOfItIsRecorded() throws Exception {
        Path bare = data.resolve("signed.git");
        // No key at all is trusted: every desired commit is refused, and says why.
        Path keys = java.nio.file.Files.writeString(data.resolve("trusted-keys.asc"), "");
        try (StateStore origin = StateStore.openOrCreate(bare)) {
            TestRepo.of(origin).desired().put("volume.yaml", """
                    apiVersion: nvmesh.io/v1
                    kind: VolumePolicy
                    metadata:
                      name: plain
                    spec:
                      layout: concatenated
                    ---
                    apiVersion: nvmesh.io/v1
                    kind: Volume
                    metadata:
                      name: unsigned
                    spec:
                      policy: plain
                      capacity: 10GiB
                    """).commit();
            InstanceConfig config = InstanceConfig.defaults("r1", data.resolve("r1")).withListen("127.0.0.1", 0)
                    .withAuth(io.nvmesh.service.TestAuth.single())
                    .withGit(bare.toString(), "main", Duration.ofMillis(200)).withTrustedKeys(keys);
            try (ReconcilerNode node = ReconcilerNode.start(config)) {
                ReconcileLoop loop = node.reconcile().orElseThrow();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(loop.results())
                        .anySatisfy(r -> assertThat(r.outcome() + " " + r.message()).contains("invalid")
                                .contains("signature check")));
                // Nothing of the refused commit was recorded, in any state commit.
                String tip = origin.resolve(StateStore.STATE_REF);
                if (!tip.isEmpty()) {
                    for (String c : origin.firstParents(StateStore.STATE_REF, tip, "")) {
                        assertThat(StateFiles.decodeStrict(origin.read(StateStore.STATE_REF, c)).volumes())
                                .doesNotContainKey("unsigned");
                    }
                }
            }
        }
    }

}
