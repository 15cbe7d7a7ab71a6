package io.nvmesh.cli;

import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.GitCheckout;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.SshAccess;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --repo} and {@code --branch}, shared by every command that reads or writes the desired repository. */
final class RepositoryOptions {

    @Option(names = "--repo", paramLabel = "PATH|URL",
            description = "Desired repository: a path or a Git URL. Default: $NVMESH_REPO; else, inside a Git "
                    + "checkout, its origin (or the checkout itself without one); else "
                    + "desired.git in $NVMESH_HOME (default: ~/.nvmesh), created on first use. An ssh:// URL needs "
                    + "NVMESH_SSH_KEY (the private key) and NVMESH_SSH_KNOWN_HOSTS (holding the server's key); "
                    + "~/.ssh is not read.")
    String repo;

    @Option(names = "--branch", paramLabel = "BRANCH", defaultValue = DesiredBranch.DEFAULT,
            description = "Desired branch (default: ${DEFAULT-VALUE}).")
    String branch;

    @Option(names = {"-v", "--verbose"}, description = "Say which repository was chosen, and why (on standard "
            + "error).")
    boolean verbose;

    /** The command these options belong to, for its standard error. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The chosen repository, opened. */
    record Opened(StateStore store, RepositoryChoice choice) implements AutoCloseable {
        @Override
        public void close() {
            store.close();
        }
    }

    /** Where a checkout is looked for; a test points it elsewhere. */
    Path cwd = Path.of("");

    RepositoryChoice choice() {
        return RepositoryChoice.choose(repo, System.getenv(), cwd);
    }

    /**
     * The chosen repository, opened. One found from the current directory's checkout that has no recorded state and
     * whose desired branch holds YAML that is not nvmesh's, or none of ours (the nvmesh source clone, an
     * application's repository), is refused in one sentence with the fix, rather than read as desired state. With
     * {@code --verbose}, says on standard error which repository was chosen, and why.
     */
    Opened open() {
        Opened opened = openChosen();
        if (opened.choice().fromCheckout() && !holdsNvmesh(opened.store())) {
            opened.close();
            throw CommandException.problems("repository %s is not a desired-state repository: it has no recorded "
                    + "state and its branch %s holds YAML that is not nvmesh manifests; choose one with --repo "
                    + "PATH|URL or NVMESH_REPO (e.g. export NVMESH_REPO=~/.nvmesh/desired.git)",
                    opened.choice().describe(), branch);
        }
        if (verbose && command != null) {
            command.commandLine().getErr().println("repository " + opened.choice().explain() + ", branch " + branch);
            command.commandLine().getErr().flush();
        }
        return opened;
    }

    /**
     * Recorded state; or a branch that is missing (a new repository) or whose YAML (outside hidden folders, which
     * nvmesh skips) is all nvmesh manifests, at least one.
     */
    private boolean holdsNvmesh(StateStore store) {
        if (store.read(StateStore.STATE_REF).exists()) {
            return true;
        }
        Snapshot desired = new DesiredBranch(store, branch).read();
        if (!desired.exists()) {
            return true;
        }
        List<String> yaml = desired.paths().stream().filter(p -> p.endsWith(".yaml") || p.endsWith(".yml"))
                .filter(p -> !p.startsWith(".") && !p.contains("/.")).toList();
        return !yaml.isEmpty() && yaml.stream().allMatch(p -> desired.text(p)
                .map(t -> t.contains("apiVersion: nvmesh.io/")).orElse(false));
    }

    private Opened openChosen() {
        RepositoryChoice c = choice();
        Map<String, String> env = System.getenv();
        String writer = "nvmesh-cli-" + ProcessHandle.current().pid();
        if (c.url()) {
            Path cache = RepositoryChoice.home(env).resolve("cache").resolve(digest(c.location()));
            StoreOptions options = StoreOptions.forWriter(writer);
            String key = env.get("NVMESH_SSH_KEY");
            String knownHosts = env.get("NVMESH_SSH_KNOWN_HOSTS");
            if (key != null && !key.isBlank() && knownHosts != null && !knownHosts.isBlank()) {
                options = options.withSsh(new SshAccess(Path.of(key), Path.of(knownHosts)));
            }
            try {
                return new Opened(StateStore.remote(c.location(), cache, options), c);
            } catch (IllegalArgumentException e) {
                throw CommandException.usage("%s%s", e.getMessage(), e.getMessage().contains("SSH remote")
                        ? "; set NVMESH_SSH_KEY and NVMESH_SSH_KNOWN_HOSTS" : "");
            }
        }
        Path path = Path.of(c.location());
        Path dotGit = path.resolve(".git");
        if (Files.isDirectory(dotGit)) {
            path = dotGit;
        } else if (Files.isRegularFile(dotGit)) {
            path = GitCheckout.find(path).map(GitCheckout::gitDir).orElse(path);
        }
        return new Opened(StateStore.openOrCreate(path, StoreOptions.forWriter(writer)), c);
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
