package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.GitCheckout;
import io.nvmesh.schema.Problem;
import io.nvmesh.schema.validation.ManifestValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Manifest files from the working directory, keyed by their path in the desired repository: relative to the root of
 * the Git checkout they sit in, or to the current directory outside a checkout. {@code folders} are the directories
 * named on the command line, as repository paths ({@code ""} for the root), which {@code --prune} cleans.
 */
public record LocalManifests(Path root, SortedMap<String, byte[]> files, Map<String, String> shownAs,
        List<String> folders) {

    public LocalManifests {
        Objects.requireNonNull(root, "root");
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
        shownAs = Map.copyOf(shownAs);
        folders = List.copyOf(folders);
    }

    /**
     * Reads the manifests under {@code paths} (files and directories, as {@code nvmesh validate} finds them).
     *
     * @throws java.nio.file.NoSuchFileException if a path does not exist
     * @throws GitOpsRefusal if a path lies outside the checkout (or the current directory), or a symbolic link in a
     *                       directory given leads outside that directory
     */
    public static LocalManifests read(List<String> paths, Path cwd) throws IOException {
        Path here = cwd.toAbsolutePath().normalize();
        Path root = GitCheckout.find(here).map(GitCheckout::root).orElse(here).toAbsolutePath().normalize();
        SortedMap<String, byte[]> files = new TreeMap<>();
        Map<String, String> shown = new TreeMap<>();
        List<String> folders = new ArrayList<>();
        for (String p : paths) {
            Path abs = here.resolve(p).normalize();
            if (!Files.exists(abs)) {
                throw new java.nio.file.NoSuchFileException(p);
            }
            if (Files.isDirectory(abs)) {
                folders.add(repoPath(root, abs, p));
            }
        }
        List<String> resolved = paths.stream().map(p -> here.resolve(p).normalize().toString()).toList();
        ManifestValidator.Found found = ManifestValidator.findFiles(resolved);
        if (!found.refused().isEmpty()) {
            throw new GitOpsRefusal("a manifest tree holds symbolic links that lead outside it; nothing was read",
                    found.refused().stream().map(Problem::render).toList());
        }
        for (String f : found.files()) {
            Path abs = Path.of(f);
            String repo = repoPath(root, abs, f);
            files.put(repo, Files.readAllBytes(abs));
            Path rel = here.relativize(abs);
            shown.put(repo, rel.toString().isEmpty() ? abs.getFileName().toString() : rel.toString());
        }
        return new LocalManifests(root, files, shown, folders);
    }

    private static String repoPath(Path root, Path abs, String given) {
        if (!abs.startsWith(root)) {
            throw new GitOpsRefusal("path " + given + " is outside " + root
                    + "; desired manifests must live inside the checkout (or the current directory)");
        }
        return root.relativize(abs).toString().replace('\\', '/');
    }

    /** Whether {@code repoPath} lies under one of the folders named on the command line. */
    boolean covers(String repoPath) {
        for (String f : folders) {
            if (f.isEmpty() || repoPath.startsWith(f + "/")) {
                return true;
            }
        }
        return false;
    }
}
