package io.nvmesh.core.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * The Git checkout (working tree) a folder is in, as repository selection needs it: its root, its repository folder
 * (for a linked worktree, the shared one), and the URL of its {@code origin} remote if it has one.
 */
public record GitCheckout(Path root, Path gitDir, Optional<String> originUrl) {

    public GitCheckout {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(gitDir, "gitDir");
        Objects.requireNonNull(originUrl, "originUrl");
    }

    /** The checkout that contains {@code dir}, if any; bare repositories and {@code GIT_DIR} are not looked at. */
    public static Optional<GitCheckout> find(Path dir) {
        Path start = dir.toAbsolutePath().normalize();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(".git"))) {
                return Optional.of(open(p));
            }
        }
        return Optional.empty();
    }

    private static GitCheckout open(Path root) {
        FileRepositoryBuilder b = new FileRepositoryBuilder().setWorkTree(root.toFile()).setMustExist(true);
        try {
            b.setup();
            try (Repository repo = b.build()) {
                Path gitDir = repo.getDirectory().toPath();
                Path common = gitDir.resolve("commondir");
                if (Files.isRegularFile(common)) {
                    gitDir = gitDir.resolve(Files.readString(common, StandardCharsets.UTF_8).strip()).normalize();
                }
                String url = repo.getConfig().getString("remote", "origin", "url");
                return new GitCheckout(root, gitDir, Optional.ofNullable(url).filter(u -> !u.isBlank()));
            }
        } catch (IOException | RuntimeException e) {
            throw new StateStoreException("cannot read the Git checkout at " + root + ": " + e.getMessage(), e);
        }
    }
}
