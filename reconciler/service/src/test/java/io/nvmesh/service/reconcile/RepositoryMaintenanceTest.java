package io.nvmesh.service.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.CommitResult;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.service.cluster.OwnershipRing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a reconciler packs its repository: after a pass, once per interval (a clock the test moves), only the instance
 * the ring gives the maintenance key to when the repository is shared, never two runs at once from one instance.
 */
class RepositoryMaintenanceTest {

    static final Duration EVERY = Duration.ofMinutes(60);

    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong();

    private static void commits(StateStore store, int n) {
        String tip = store.resolve(StateStore.STATE_REF);
        for (int i = 0; i < n; i++) {
            CommitResult r = store.commit(StateStore.STATE_REF, tip, Changes.builder().put("f", "v" + i).build(),
                    "c" + i, new Author("t", "t@example.org"));
            tip = ((CommitResult.Committed) r).commitId();
        }
    }

    @Test
    void packsAfterAPassOnceTheIntervalHasPassedAndThenWaitsAnotherInterval() {
        try (StateStore store = StateStore.openOrCreate(tmp.resolve("state.git"))) {
            commits(store, 30);
            List<PackRun> runs = new CopyOnWriteArrayList<>();
            try (RepositoryMaintenance m = new RepositoryMaintenance("r1", store, EVERY, () -> "r1", clock::get)) {
                m.addListener(runs::add);

                m.afterPass();
                clock.addAndGet(EVERY.toNanos() - 1);
                m.afterPass();
                assertThat(runs).as("not due yet").isEmpty();

                clock.addAndGet(1);
                m.afterPass();
                await().atMost(Duration.ofSeconds(30)).until(() -> runs.size() == 1);
                assertThat(runs.get(0).outcome()).isEqualTo("packed");
                assertThat(runs.get(0).looseObjectsAfter()).isZero();
                assertThat(runs.get(0).packsAfter()).isPositive();

                commits(store, 5);
                clock.addAndGet(EVERY.toNanos() / 2);
                m.afterPass();
                clock.addAndGet(EVERY.toNanos() / 2 - 1);
                m.afterPass();
                assertThat(runs).as("an interval after the last run, not after the last pass").hasSize(1);
                clock.addAndGet(1);
                m.afterPass();
                await().atMost(Duration.ofSeconds(30)).until(() -> runs.size() == 2);
            }
        }
    }

    @Test
    void ofThreeInstancesSharingARepositoryOnlyTheRingsOwnerOfTheKeyPacks() {
        Path repo = tmp.resolve("state.git");
        OwnershipRing ring = OwnershipRing.of(List.of("r1", "r2", "r3"), 0.25);
        String owner = ring.preferredOwner(RepositoryMaintenance.MAINTENANCE_KEY);
        List<StateStore> stores = new ArrayList<>();
        List<RepositoryMaintenance> instances = new ArrayList<>();
        List<String> packedBy = new CopyOnWriteArrayList<>();
        try {
            for (String id : List.of("r1", "r2", "r3")) {
                StateStore s = StateStore.openOrCreate(repo);
                stores.add(s);
                RepositoryMaintenance m = new RepositoryMaintenance(id, s, EVERY,
                        () -> ring.preferredOwner(RepositoryMaintenance.MAINTENANCE_KEY), clock::get);
                m.addListener(run -> packedBy.add(id + " " + run.outcome()));
                instances.add(m);
            }
            commits(stores.get(0), 10);
            clock.addAndGet(EVERY.toNanos());

            instances.forEach(RepositoryMaintenance::afterPass);

            await().atMost(Duration.ofSeconds(30)).until(() -> !packedBy.isEmpty());
            instances.forEach(RepositoryMaintenance::close); // waits for any run in flight
            assertThat(packedBy).containsExactly(owner + " packed");
        } finally {
            instances.forEach(RepositoryMaintenance::close);
            stores.forEach(StateStore::close);
        }
    }

    @Test
    void aZeroIntervalNeverPacks() {
        try (StateStore store = StateStore.openOrCreate(tmp.resolve("state.git"))) {
            commits(store, 3);
            List<PackRun> runs = new CopyOnWriteArrayList<>();
            RepositoryMaintenance m = new RepositoryMaintenance("r1", store, Duration.ZERO, () -> "r1", clock::get);
            m.addListener(runs::add);
            clock.addAndGet(Duration.ofDays(30).toNanos());

            m.afterPass();
            m.close(); // waits for a run, had one been started

            assertThat(runs).isEmpty();
        }
    }
}
