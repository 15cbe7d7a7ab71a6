package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which repository a command picks: option, environment, checkout origin, checkout, embedded default. */
class RepositoryChoiceTest {

    @TempDir
    Path tmp;

    @Test
    void theRepoOptionWinsOverEverything() {
        RepositoryChoice c = RepositoryChoice.choose("git://h/r.git", Map.of("NVMESH_REPO", "/elsewhere"), tmp);

        assertThat(c).isEqualTo(new RepositoryChoice("git://h/r.git", true, "--repo"));
    }

    @Test
    void theEnvironmentComesNext() {
        assertThat(RepositoryChoice.choose(null, Map.of("NVMESH_REPO", "/srv/desired.git"), tmp))
                .isEqualTo(new RepositoryChoice("/srv/desired.git", false, "NVMESH_REPO"));
    }

    @Test
    void insideACheckoutItsOriginIsUsed() throws Exception {
        Path checkout = checkout("[remote \"origin\"]\n\turl = git@example.org:storage/desired.git\n");

        RepositoryChoice c = RepositoryChoice.choose(null, Map.of(), checkout.resolve("volumes"));

        assertThat(c.location()).isEqualTo("git@example.org:storage/desired.git");
        assertThat(c.url()).isTrue();
        assertThat(c.why()).startsWith("origin of the checkout at ");
    }

    @Test
    void aCheckoutWithoutOriginIsUsedItself() throws Exception {
        Path checkout = checkout("");

        RepositoryChoice c = RepositoryChoice.choose(null, Map.of(), checkout.resolve("volumes"));

        assertThat(Path.of(c.location())).isEqualTo(checkout.resolve(".git").toAbsolutePath());
        assertThat(c.url()).isFalse();
    }

    @Test
    void outsideACheckoutTheEmbeddedDefaultIsUsed() {
        RepositoryChoice c = RepositoryChoice.choose(null, Map.of("NVMESH_HOME", tmp.toString()), tmp);

        assertThat(c).isEqualTo(new RepositoryChoice(tmp.resolve("desired.git").toString(), false,
                "embedded default"));
        assertThat(RepositoryChoice.choose(null, Map.of("HOME", "/home/ada"), tmp).location())
                .isEqualTo("/home/ada/.nvmesh/desired.git");
    }

    private Path checkout(String extraConfig) throws Exception {
        Path root = tmp.resolve("checkout");
        Path git = Files.createDirectories(root.resolve(".git"));
        Files.createDirectories(git.resolve("objects"));
        Files.createDirectories(git.resolve("refs/heads"));
        Files.writeString(git.resolve("HEAD"), "ref: refs/heads/main\n");
        Files.writeString(git.resolve("config"), "[core]\n\trepositoryformatversion = 0\n\tbare = false\n"
                + extraConfig);
        Files.createDirectories(root.resolve("volumes"));
        return root;
    }
}
