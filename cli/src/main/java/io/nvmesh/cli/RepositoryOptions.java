package io.nvmesh.cli;

import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.GitCheckout;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --repo} and {@code --branch}, shared by every command that reads or writes the desired repository. */
final class RepositoryOptions {

    @Option(names = "--repo", paramLabel = "PATH|URL",
            description = "Desired repository: a path or a Git URL. Default: $NVMESH_REPO; else, inside a Git "
                    + "checkout, its origin (or the checkout itself without one); else "
                    + "desired.git in $NVMESH_HOME (default: ~/.nvmesh), created on first use.")
    String repo;

    @Option(names = "--branch", paramLabel = "BRANCH", defaultValue = DesiredBranch.DEFAULT,
            description = "Desired branch (default: ${DEFAULT-VALUE}).")
    String branch;

    @Option(names = {"-v", "--verbose"}, description = "Say which repository was chosen, and why.")
    boolean verbose;

    /** The chosen repository, opened. */
    record Opened(StateStore store, RepositoryChoice choice) implements AutoCloseable {
        @Override
        public void close() {
            store.close();
        }
    }

    RepositoryChoice choice() {
        return RepositoryChoice.choose(repo, System.getenv(), Path.of(""));
    }

    Opened open() {
        RepositoryChoice c = choice();
        Map<String, String> env = System.getenv();
        String writer = "nvmesh-cli-" + ProcessHandle.current().pid();
        if (c.url()) {
            Path cache = RepositoryChoice.home(env).resolve("cache").resolve(digest(c.location()));
            return new Opened(StateStore.remote(c.location(), cache, StoreOptions.forWriter(writer)), c);
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
