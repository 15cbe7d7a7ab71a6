package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nvmesh.core.testing.GitDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract and the claim proof through a real {@code git daemon} on loopback ({@code git://}), where the
 * compare-and-swap is Git's own receive-pack checking the old id of the push command.
 */
class GitDaemonStateStoreTest extends StateStoreContract {

    private static final AtomicInteger REPOS = new AtomicInteger();

    @TempDir
    static Path served;

    @TempDir
    Path caches;

    private static GitDaemon daemon;
    private String repoName;
    private String url;

    @BeforeAll
    static void startDaemon() throws Exception {
        assumeTrue(GitDaemon.gitAvailable(), "git is not on PATH");
        Path base = Files.createDirectories(served.resolve("base"));
        daemon = GitDaemon.start(base, served.resolve("daemon.log"));
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @BeforeEach
    void createRepository() throws Exception {
        repoName = "repo-" + REPOS.incrementAndGet() + ".git";
        url = daemon.createRepository(repoName);
    }

    @Override
    StateStore newWriter(String name) {
        return StateStore.remote(url, caches.resolve(name), StoreOptions.forWriter(name));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void twoWritersThroughGitDaemonNeverClaimASlotTwiceNorLoseOne() throws Exception {
        int perWriter = 15;
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
                f.get(90, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        Set<String> expected = new HashSet<>(Claims.claimsOf("w0", perWriter));
        expected.addAll(Claims.claimsOf("w1", perWriter));
        try (StateStore direct = StateStore.openOrCreate(daemon.path(repoName))) {
            Claims.assertExactlyOnce(direct, expected);
        }
        assertThat(Claims.historyLength(daemon.path(repoName))).isEqualTo(expected.size());
    }

    @Test
    void aRefThatMovesBetweenAdvertisementAndUpdateMakesThePushALostRace() throws Exception {
        StateStore a = writer("a");
        var base = (CommitResult.Committed) a.commit(REF, "", Changes.put("claims/0", utf8("a#0")), "seed", ALICE);
        var interloper = (CommitResult.Committed) a.commit("refs/nvmesh/interloper", "",
                Changes.put("claims/0", utf8("interloper")), "interloper", ALICE);
        // The server's pre-receive hook runs after our push saw the old tip advertised and before receive-pack locks
        // the ref: moving the ref there is another writer winning in exactly that window.
        Path moved = daemon.path(repoName).resolve("moved");
        Path hook = daemon.path(repoName).resolve("hooks/pre-receive");
        Files.writeString(hook, "#!/bin/sh\ncat >/dev/null\nif [ ! -e '" + moved + "' ]; then\n  : > '" + moved
                + "'\n  env -u GIT_QUARANTINE_PATH git update-ref " + REF + " " + interloper.commitId() + " "
                + base.commitId() + "\nfi\nexit 0\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));

        StateStore b = writer("b");
        Snapshot seen = b.read(REF);
        CommitResult r = b.commit(REF, seen.commitId(), Changes.put("claims/1", utf8("b#0")), "b claims 1", BOB);

        assertThat(moved).exists();
        assertThat(r).isEqualTo(new CommitResult.LostRace(base.commitId(), interloper.commitId()));
        UpdateResult retried = Claims.claimOne(b, BOB, "b", 0);
        assertThat(retried).isInstanceOf(UpdateResult.Updated.class);
        assertThat(b.read(REF).text("claims/1")).contains("b#0");
        assertThat(b.read(REF).text("claims/0")).contains("interloper");
    }
}
