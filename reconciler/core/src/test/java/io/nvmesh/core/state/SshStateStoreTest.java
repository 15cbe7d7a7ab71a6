package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.core.testing.SshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote state store's contract and the claim proof through a real OpenSSH server on loopback ({@code ssh://},
 * JGit's Apache MINA client), where the compare-and-swap is Git's receive-pack run by sshd; and the host key checks: a
 * server whose key the known_hosts file does not hold, or holds another key for, is refused before anything is read or
 * written. Fails, not skips, without sshd: CI installs it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SshStateStoreTest extends RemoteStateStoreContract {

    @TempDir
    static Path served;

    private static SshServer sshd;
    private static SshAccess access;

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

    @Override
    String createRepository(String name) throws Exception {
        return sshd.createRepository(name);
    }

    @Override
    Path serverPath(String name) {
        return sshd.path(name);
    }

    @Override
    StoreOptions options(String name) {
        return StoreOptions.forWriter(name).withSsh(access);
    }

    @Override
    int claimsPerWriter() {
        return 8;
    }

    @Override
    Duration writerBound() {
        return Duration.ofSeconds(150);
    }

    @Test
    void aServerOfferingAnotherHostKeyIsRefusedInOneLineAndNothingIsWritten() throws Exception {
        try (StateStore seed = writer("seed")) {
            seed.commit(REF, "", Changes.put("claims/0", utf8("seed")), "seed", ALICE);
        }
        String before = tipOnServer();
        // known_hosts holds a key for [127.0.0.1]:port, but not the one the server offers: a man in the middle, or
        // a server that was replaced.
        Path other = SshServer.keygen(served.resolve("impostor-" + repoName), "impostor");
        Path wrong = sshd.knownHostsWith(served.resolve("known_hosts-wrong-" + repoName), Path.of(other + ".pub"));
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
        Path empty = Files.writeString(served.resolve("known_hosts-empty-" + repoName), "");
        StateStore store = StateStore.remote(url, caches.resolve("unknown"),
                StoreOptions.forWriter("unknown").withSsh(new SshAccess(sshd.clientKey(), empty)));
        opened(store);
        assertThatThrownBy(() -> store.resolve(REF)).isInstanceOf(StateStoreException.class)
                .hasMessageContaining("host key refused")
                .hasMessageContaining("holds no key for it");
    }

    @Test
    void aKeyTheServerDoesNotAuthorizeIsRefused() throws Exception {
        Path stranger = SshServer.keygen(served.resolve("stranger-" + repoName), "stranger");
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
