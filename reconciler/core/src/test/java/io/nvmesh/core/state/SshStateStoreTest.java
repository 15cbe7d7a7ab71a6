package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.core.testing.SshServer;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The state store's contract and the claim proof through a real OpenSSH server on loopback ({@code ssh://}, JGit's
 * Apache MINA client), where the compare-and-swap is Git's receive-pack run by sshd; and the host key checks: a server
 * whose key the known_hosts file does not hold, or holds another key for, is refused before anything is read or
 * written. Fails, not skips, without sshd: CI installs it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SshStateStoreTest extends StateStoreContract {

    private static final AtomicInteger REPOS = new AtomicInteger();

    @TempDir
    static Path served;

    @TempDir
    Path caches;

    private static SshServer sshd;
    private static SshAccess access;
    private String repoName;
    private String url;

    @BeforeAll
    static void startSshd() throws Exception {
        assertThat(SshServer.missing()).as("this test needs a real OpenSSH server").isEmpty();
        sshd = SshServer.start(served.resolve("sshd"));
        access = new SshAccess(sshd.clientKey(), sshd.knownHosts(served.resolve("known_hosts")));
    }

    @AfterAll
    static void stopSshd() {
        if (sshd != null) {
            sshd.close();
        }
    }

    @BeforeEach
    void createRepository() throws Exception {
        repoName = "repo-" + REPOS.incrementAndGet() + ".git";
        url = sshd.createRepository(repoName);
    }

    @Override
    StateStore newWriter(String name) {
        return StateStore.remote(url, caches.resolve(name), StoreOptions.forWriter(name).withSsh(access));
    }

    @Test
    void stateWrittenOverSshIsInTheServersRepositoryAndAStaleWriteIsALostRace() throws Exception {
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

        try (StateStore direct = StateStore.openOrCreate(sshd.path(repoName))) {
            assertThat(direct.resolve(REF)).isEqualTo(moved.commitId());
            assertThat(direct.read(REF).text("claims/1")).contains("a#1");
            assertThat(direct.firstParents(REF, moved.commitId(), "")).containsExactly(base.commitId(),
                    moved.commitId());
        }
    }

    @Test
    void twoWritersOverSshNeverClaimASlotTwiceNorLoseOne() throws Exception {
        int perWriter = 8;
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
                f.get(150, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> expected = new HashSet<>(Claims.claimsOf("w0", perWriter));
        expected.addAll(Claims.claimsOf("w1", perWriter));
        // The whole history on the server: every claim exactly once, one commit per claim.
        try (StateStore direct = StateStore.openOrCreate(sshd.path(repoName))) {
            Claims.assertExactlyOnce(direct, expected);
        }
        assertThat(Claims.historyLength(sshd.path(repoName))).isEqualTo(expected.size());
    }

    @Test
    void aServerOfferingAnotherHostKeyIsRefusedInOneLineAndNothingIsWritten() throws Exception {
        try (StateStore seed = writer("seed")) {
            seed.commit(REF, "", Changes.put("claims/0", utf8("seed")), "seed", ALICE);
        }
        String before = tipOnServer();
        // known_hosts holds a key for [127.0.0.1]:port, but not the one the server offers: a man in the middle, or
        // a server that was replaced.
        Path other = SshServer.keygen(served.resolve("impostor-" + REPOS.get()), "impostor");
        Path wrong = sshd.knownHostsWith(served.resolve("known_hosts-wrong-" + REPOS.get()), Path.of(other + ".pub"));
        StateStore store = StateStore.remote(url, caches.resolve("mismatch"),
                StoreOptions.forWriter("mismatch").withSsh(new SshAccess(sshd.clientKey(), wrong)));
        opened(store);

        assertThatThrownBy(() -> store.read(REF)).isInstanceOf(StateStoreException.class)
                .hasMessageContaining("host key refused: [127.0.0.1]:" + sshd.port())
                .hasMessageContaining("holds another key for it")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> store.commit(REF, before, Changes.put("claims/1", utf8("mitm")), "mitm", BOB))
                .isInstanceOf(StateStoreException.class).hasMessageContaining("host key refused");
        assertThat(tipOnServer()).isEqualTo(before);
    }

    @Test
    void aServerWhoseKeyIsNotInKnownHostsIsRefused() throws Exception {
        Path empty = Files.writeString(served.resolve("known_hosts-empty-" + REPOS.get()), "");
        StateStore store = StateStore.remote(url, caches.resolve("unknown"),
                StoreOptions.forWriter("unknown").withSsh(new SshAccess(sshd.clientKey(), empty)));
        opened(store);
        assertThatThrownBy(() -> store.resolve(REF)).isInstanceOf(StateStoreException.class)
                .hasMessageContaining("host key refused")
                .hasMessageContaining("holds no key for it");
    }

    @Test
    void aKeyTheServerDoesNotAuthorizeIsRefused() throws Exception {
        Path stranger = SshServer.keygen(served.resolve("stranger-" + REPOS.get()), "stranger");
        StateStore store = StateStore.remote(url, caches.resolve("stranger"),
                StoreOptions.forWriter("stranger").withSsh(new SshAccess(stranger, access.knownHosts())));
        opened(store);
        assertThatThrownBy(() -> store.read(REF)).isInstanceOf(StateStoreException.class)
                .hasMessageContaining("cannot read " + REF);
    }

    @Test
    void anSshRemoteWithoutAKeyAndKnownHostsIsRefusedAtOpen() {
        assertThatThrownBy(() -> StateStore.remote(url, caches.resolve("none"), StoreOptions.forWriter("none")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is an SSH remote")
                .hasMessageContaining("~/.ssh is not read");
    }

    private void opened(StateStore store) {
        // closed with the others after the test
        closeLater.add(store);
    }

    private final List<StateStore> closeLater = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void closeOthers() {
        closeLater.forEach(StateStore::close);
    }

    private String tipOnServer() {
        try (StateStore direct = StateStore.openOrCreate(sshd.path(repoName))) {
            return direct.resolve(REF);
        }
    }
}
