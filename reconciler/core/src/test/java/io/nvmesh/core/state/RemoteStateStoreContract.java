package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every remote kind promises on top of {@link StateStoreContract}, run against a real server on loopback whose
 * receive-pack is the compare-and-swap: each test gets a fresh repository on it; a stale write is a lost race naming
 * the winner, and two writers racing for slots never claim one twice nor lose one (the whole history on the server is
 * checked). Subclasses start the server and say how a writer reaches it.
 */
abstract class RemoteStateStoreContract extends StateStoreContract {

    private static final AtomicInteger REPOS = new AtomicInteger();

    @TempDir
    Path caches;

    String repoName;
    String url;

    /** Creates bare repository {@code name} on the server; returns its URL. */
    abstract String createRepository(String name) throws Exception;

    /** The server's folder of repository {@code name}, opened directly to check what was written. */
    abstract Path serverPath(String name);

    /** How writer {@code name} reaches the server. */
    abstract StoreOptions options(String name);

    /** Slots each of the two racing writers claims. */
    abstract int claimsPerWriter();

    /** How long each racing writer may take for all its claims. */
    abstract Duration writerBound();

    @BeforeEach
    void createRepository() throws Exception {
        repoName = "repo-" + REPOS.incrementAndGet() + ".git";
        url = createRepository(repoName);
    }

    @Override
    StateStore newWriter(String name) {
        return StateStore.remote(url, caches.resolve(name), options(name));
    }

    @Test
    void stateWrittenIsInTheServersRepositoryAndAStaleWriteIsALostRace() throws Exception {
        StateStore a = writer("a");
        StateStore b = writer("b");
        var base = (CommitResult.Committed) a.commit(REF, "", Changes.put("claims/0", utf8("a#0")), "seed", ALICE);
        Snapshot seenByB = b.read(REF);
        var moved = (CommitResult.Committed) a.commit(REF, base.commitId(), Changes.put("claims/1", utf8("a#1")),
                "a claims 1", ALICE);

        // b still believes the tip is base: its write is refused, and names the winner.
        CommitResult stale = b.commit(REF, seenByB.commitId(), Changes.put("claims/1", utf8("b#0")), "b claims 1",
                BOB);
        assertThat(stale).isEqualTo(new CommitResult.LostRace(base.commitId(), moved.commitId()));
        // Also with the objects already in b's mirror: the server's receive-pack checks the old id.
        assertThat(b.setRef(REF, base.commitId(), base.commitId()))
                .isEqualTo(new CommitResult.LostRace(base.commitId(), moved.commitId()));

        try (StateStore direct = StateStore.openOrCreate(serverPath(repoName))) {
            assertThat(direct.resolve(REF)).isEqualTo(moved.commitId());
            assertThat(direct.read(REF).text("claims/1")).contains("a#1");
            assertThat(direct.firstParents(REF, moved.commitId(), "")).containsExactly(base.commitId(),
                    moved.commitId());
        }
    }

    @Test
    void twoWritersNeverClaimASlotTwiceNorLoseOne() throws Exception {
        int perWriter = claimsPerWriter();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> writers = new ArrayList<>();
            for (String name : List.of("w0", "w1")) {
                StateStore store = writer(name);
                writers.add(pool.submit(() -> {
                    go.await();
                    int retries = 0;
                    for (int i = 0; i < perWriter; i++) {
                        UpdateResult r = Claims.claimOne(store, new Author(name, name + "@test"), name, i);
                        assertThat(r).as("%s claim %d", name, i).isInstanceOf(UpdateResult.Updated.class);
                        retries += r.retries();
                    }
                    return retries;
                }));
            }
            go.countDown();
            for (Future<Integer> f : writers) {
                f.get(writerBound().toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> expected = new HashSet<>(Claims.claimsOf("w0", perWriter));
        expected.addAll(Claims.claimsOf("w1", perWriter));
        // The whole history on the server: every claim exactly once, one commit per claim.
        try (StateStore direct = StateStore.openOrCreate(serverPath(repoName))) {
            Claims.assertExactlyOnce(direct, expected);
        }
        assertThat(Claims.historyLength(serverPath(repoName))).isEqualTo(expected.size());
    }
}
