package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lock files left by a crashed writer are removed once old enough; a live writer's lock never is. */
class StaleLockTest {

    private static final String REF = StateStore.STATE_REF;
    private static final Author ALICE = new Author("alice", "alice@example.org");

    @TempDir
    Path tmp;

    private Path repo;
    private Path refLock;
    private String base;
    private final List<StateStore> stores = new ArrayList<>();

    @BeforeEach
    void seed() {
        repo = tmp.resolve("state.git");
        refLock = repo.resolve("refs/nvmesh/state.lock");
        base = ((CommitResult.Committed) open(StoreOptions.forWriter("seed"))
                .commit(REF, "", Changes.put("claims/0", bytes("seed")), "seed", ALICE)).commitId();
    }

    @AfterEach
    void close() {
        stores.forEach(StateStore::close);
    }

    private StateStore open(StoreOptions options) {
        StateStore s = StateStore.openOrCreate(repo, options);
        stores.add(s);
        return s;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void lock(Path file, Duration age) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "0123456789012345678901234567890123456789\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
    }

    @Test
    void removesALockLeftByACrashedWriterAndCommits() throws Exception {
        lock(refLock, Duration.ofMinutes(10));

        CommitResult r = open(StoreOptions.forWriter("w")).commit(REF, base, Changes.put("claims/1", bytes("w")),
                "claim", ALICE);

        assertThat(r).isInstanceOf(CommitResult.Committed.class);
        assertThat(refLock).doesNotExist();
    }

    @Test
    void leavesAFreshLockAloneAndReportsTheRefBusy() throws Exception {
        lock(refLock, Duration.ofSeconds(1));
        StateStore w = open(StoreOptions.forWriter("w"));

        CommitResult r = w.commit(REF, base, Changes.put("claims/1", bytes("w")), "claim", ALICE);

        assertThat(r).isInstanceOf(CommitResult.Busy.class);
        assertThat(((CommitResult.Busy) r).lockFile()).isEqualTo(refLock.toString());
        assertThat(refLock).exists();
        assertThat(w.read(REF).commitId()).isEqualTo(base);
    }

    @Test
    void updateWaitsForAFreshLockToBeReleasedWithoutRemovingIt() throws Exception {
        lock(refLock, Duration.ZERO);
        StateStore w = open(StoreOptions.forWriter("w").withRetry(RetryPolicy.forWriter("w").withMaxAttempts(10_000)
                .withDelays(Duration.ofMillis(1), Duration.ofMillis(20))));

        CompletableFuture<UpdateResult> update = CompletableFuture.supplyAsync(
                () -> Claims.claimOne(w, ALICE, "w", 0));

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> Files.exists(refLock) && !update.isDone());
        Files.delete(refLock); // the live holder finishes
        await().atMost(Duration.ofSeconds(10)).until(update::isDone);
        UpdateResult r = update.join();
        assertThat(r).isInstanceOf(UpdateResult.Updated.class);
        assertThat(r.retries()).isPositive();
    }

    @Test
    void aLockThatOutlivesTheThresholdIsRecoveredWhileUpdating() throws Exception {
        lock(refLock, Duration.ZERO);
        StateStore w = open(StoreOptions.forWriter("w").withStaleLockAfter(Duration.ofSeconds(1))
                .withRetry(RetryPolicy.forWriter("w").withMaxAttempts(10_000)
                        .withDelays(Duration.ofMillis(5), Duration.ofMillis(50))));

        CompletableFuture<UpdateResult> update = CompletableFuture.supplyAsync(
                () -> Claims.claimOne(w, ALICE, "w", 0));

        await().atMost(Duration.ofSeconds(15)).until(update::isDone);
        assertThat(update.join()).isInstanceOf(UpdateResult.Updated.class);
        assertThat(refLock).doesNotExist();
    }

    @Test
    void givesUpWhenTheLockStaysFreshAndSaysWhy() throws Exception {
        lock(refLock, Duration.ZERO);
        List<Duration> waits = new ArrayList<>();
        StateStore w = open(StoreOptions.forWriter("w"));
        RetryPolicy policy = RetryPolicy.forWriter("w").withMaxAttempts(4);
        RetryLoop loop = new RetryLoop(w, policy, waits::add);

        UpdateResult r = loop.run(REF, ALICE, s -> Decision.commit(Changes.put("claims/1", bytes("w")), "claim"));

        assertThat(r).isInstanceOf(UpdateResult.GaveUp.class);
        assertThat(r.retries()).isEqualTo(3);
        assertThat(((UpdateResult.GaveUp) r).last()).isInstanceOf(CommitResult.Busy.class);
        assertThat(waits).hasSize(3);
        for (int i = 0; i < 3; i++) {
            long ceiling = Backoff.ceiling(policy, i + 1);
            assertThat(waits.get(i).toNanos()).isBetween(ceiling / 2, ceiling);
        }
        assertThat(refLock).exists();
    }

    @Test
    void anAbandonedPackedRefsLockIsRemovedAndAFreshOneKept() throws Exception {
        Path packedLock = repo.resolve("packed-refs.lock");
        StaleLocks locks = new StaleLocks(repo, Duration.ofSeconds(30));

        lock(packedLock, Duration.ofMinutes(5));
        lock(refLock, Duration.ofSeconds(2));
        StaleLocks.Inspection look = locks.recover(REF);

        assertThat(look.removed()).containsExactly(packedLock);
        assertThat(look.fresh()).contains(refLock);
        assertThat(packedLock).doesNotExist();
        assertThat(refLock).exists();
        try (var leftovers = Files.list(repo)) {
            assertThat(leftovers.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.startsWith("nvmesh-clock-") || n.startsWith("nvmesh-lock-recovery"));
        }
    }
}
