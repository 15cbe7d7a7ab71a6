package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nvmesh.core.testing.Policies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which repository a command opened, said with -v, and a checkout that is not a desired-state repository refused. */
class RepositoryOptionsTest {

    private static final String VOLUME = "apiVersion: nvmesh.io/v1\nkind: Volume\nmetadata:\n  name: db-01\nspec:\n"
            + "  policy: p\n  capacity: 1GiB\n";

    @TempDir
    Path tmp;

    @BeforeEach
    void noRepositoryNamed() {
        assumeTrue(System.getenv("NVMESH_REPO") == null, "NVMESH_REPO names a repository in this environment");
    }

    @Test
    void aCheckoutOfSomethingElseIsRefusedInOneSentenceWithTheFix() throws Exception {
        // As the nvmesh source clone: some manifests, and YAML that is not nvmesh's (an OpenAPI file).
        Path source = checkout(Map.of("samples/volumes/db-01.yaml", VOLUME, "docs/openapi.yaml", "openapi: 3.1.0\n",
                ".github/workflows/ci.yml", "on: push\n"));
        RepositoryOptions options = options(source.resolve("samples"));

        assertThatThrownBy(options::open).isInstanceOfSatisfying(CommandException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.PROBLEMS);
            assertThat(e.getMessage()).startsWith("repository " + source.resolve(".git").toAbsolutePath()
                    + " (the checkout at ").contains("is not a desired-state repository: it has no recorded state "
                    + "and its branch main holds YAML that is not nvmesh manifests; choose one with --repo PATH|URL "
                    + "or NVMESH_REPO").doesNotContain("\n");
        });
    }

    @Test
    void aCheckoutOfADesiredStateRepositoryOrANewOneIsUsed() throws Exception {
        Path desired = checkout(Map.of("volumes/db-01.yaml", VOLUME, ".gitlab/ci.yml", "stages: []\n"));
        try (RepositoryOptions.Opened opened = options(desired).open()) {
            assertThat(opened.choice().fromCheckout()).isTrue();
            assertThat(opened.choice().explain()).endsWith("(it has no origin); --repo or NVMESH_REPO to choose "
                    + "another)");
        }
        Path empty = Files.createDirectories(tmp.resolve("new"));
        git(empty, "init", "-q", "-b", "main");
        try (RepositoryOptions.Opened opened = options(empty).open()) {
            assertThat(opened.choice().fromCheckout()).isTrue();
        }
    }

    @Test
    void diffSaysWhichRepositoryAndWhyWithVerbose() throws Exception {
        Path repo = tmp.resolve("desired.git");
        Path manifests = Files.createDirectories(tmp.resolve("m"));
        Files.writeString(manifests.resolve("policy.yaml"), Policies.named(Policies.PLAIN, "p"));

        NvmeshRun run = NvmeshRun.of("diff", "-v", "--repo", repo.toString(), manifests.toString());

        assertThat(run.err().lines().findFirst().orElseThrow())
                .isEqualTo("repository " + repo + " (--repo), branch main");
    }

    @Test
    void anSshRepositoryWithoutAKeyAndKnownHostsIsAUsageErrorThatSaysWhatToSet() {
        assumeTrue(System.getenv("NVMESH_SSH_KEY") == null, "NVMESH_SSH_KEY is set in this environment");
        NvmeshRun run = NvmeshRun.of("validate", "--verify-signatures", "main..main", "--repo",
                "ssh://git@127.0.0.1:1/srv/desired.git");
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.err().strip()).contains("is an SSH remote").contains("~/.ssh is not read")
                .endsWith("set NVMESH_SSH_KEY and NVMESH_SSH_KNOWN_HOSTS").doesNotContain("\n");
    }

    private RepositoryOptions options(Path cwd) {
        RepositoryOptions o = new RepositoryOptions();
        o.branch = "main";
        o.cwd = cwd;
        return o;
    }

    private Path checkout(Map<String, String> files) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("checkout"));
        git(root, "init", "-q", "-b", "main");
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        git(root, "add", "-A");
        git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "files");
        return root;
    }

    private static void git(Path dir, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "git";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("git %s: %s", String.join(" ", args), out).isZero();
    }
}
