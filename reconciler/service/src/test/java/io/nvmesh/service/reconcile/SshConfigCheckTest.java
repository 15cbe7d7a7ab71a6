package io.nvmesh.service.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.SshServer;
import io.nvmesh.schema.Problem;
import io.nvmesh.service.config.ConfigCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nvmesh reconciler --config FILE --check} with an {@code ssh://} remote reaches it the way the instance will:
 * with {@code git.ssh}'s key and known_hosts only, against a real OpenSSH server. The right host key passes; another
 * host key is a problem at {@code git.remote} that says the host key was refused.
 */
@Timeout(value = 2, unit = java.util.concurrent.TimeUnit.MINUTES)
class SshConfigCheckTest {

    @TempDir
    Path dir;

    @Test
    void theCheckReachesAnSshRemoteWithTheConfiguredKeyAndRefusesAnotherHostKey() throws Exception {
        Path bare = dir.resolve("served/state.git");
        try (StateStore origin = StateStore.openOrCreate(bare)) {
            origin.commit("refs/heads/main", "", Changes.builder().put("README.md", "desired").build(), "first",
                    new Author("t", "t@example.org"));
        }
        try (SshServer sshd = SshServer.start(dir.resolve("sshd"))) {
            Path good = write("good.yaml", sshd.url(bare), sshd.clientKey(), sshd.knownHosts());
            ConfigCheck ok = ConfigCheck.of(good);
            assertThat(ok.problems()).isEmpty();
            assertThat(ok.checked()).anySatisfy(line -> assertThat(line).startsWith("git.remote: ssh://")
                    .contains("reachable"));

            Path other = SshServer.keygen(dir.resolve("other_host_key"), "impostor");
            String[] parts = Files.readString(Path.of(other + ".pub")).trim().split("\\s+");
            Path wrongHosts = Files.writeString(dir.resolve("wrong_known_hosts"),
                    sshd.url(bare).replaceFirst("^ssh://[^@]+@([^:]+):(\\d+).*$", "[$1]:$2") + " " + parts[0] + " "
                            + parts[1] + "\n");
            ConfigCheck refused = ConfigCheck.of(write("wrong.yaml", sshd.url(bare), sshd.clientKey(), wrongHosts));
            assertThat(refused.ok()).isFalse();
            assertThat(refused.problems()).singleElement().satisfies(p -> assertThat(p.toString())
                    .contains("git.remote").contains("host key"));
        }
    }

    private Path write(String name, String url, Path key, Path knownHosts) throws Exception {
        return Files.writeString(dir.resolve(name), """
                id: r1
                listen: 127.0.0.1:0
                dataDir: data/r1
                git:
                  remote: %s
                  branch: main
                  ssh:
                    identity: %s
                    knownHosts: %s
                """.formatted(url, key.toAbsolutePath(), knownHosts.toAbsolutePath()));
    }
}
