package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nvmesh.core.testing.GitDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote state store's contract and the claim proof through a real {@code git daemon} on loopback
 * ({@code git://}), where the compare-and-swap is Git's own receive-pack checking the old id of the push command; and
 * a ref moved between the advertisement and the update.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GitDaemonStateStoreTest extends RemoteStateStoreContract {

    @TempDir
    static Path served;

    private static GitDaemon daemon;

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

    @Override
    String createRepository(String name) throws Exception {
        return daemon.createRepository(name);
    }

    @Override
    Path serverPath(String name) {
        return daemon.path(name);
    }

    @Override
    StoreOptions options(String name) {
        return StoreOptions.forWriter(name);
    }

    @Override
    int claimsPerWriter() {
        return 15;
    }

    @Override
    Duration writerBound() {
        return Duration.ofSeconds(90);
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
