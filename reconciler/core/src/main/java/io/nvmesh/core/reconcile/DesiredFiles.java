package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.Snapshot;
import io.nvmesh.schema.validation.ManifestValidator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The manifest files of a desired tree: {@code *.yaml} and {@code *.yml} outside hidden folders and not matched by
 * the tree's own {@code .nvmeshignore} (as {@code validate} skips them in a checkout: CI files, Helm values), by
 * repository path, on top of {@code baseCommit}. {@code shownAs} names a file in problems (the local path for files that came
 * from the working directory).
 */
record DesiredFiles(String baseCommit, SortedMap<String, byte[]> files, Map<String, String> shownAs) {

    DesiredFiles {
        Objects.requireNonNull(baseCommit, "baseCommit");
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
        shownAs = Map.copyOf(shownAs);
    }

    static DesiredFiles of(Snapshot snapshot) {
        SortedMap<String, byte[]> files = new TreeMap<>();
        SortedSet<String> paths = new TreeSet<>();
        for (String p : snapshot.paths()) {
            if (isManifestPath(p)) {
                paths.add(p);
            }
        }
        if (!paths.isEmpty()) {
            if (snapshot.contains(ManifestValidator.IGNORE_FILE)) {
                Predicate<String> ignored = ManifestValidator.ignoredBy(new String(snapshot.file(
                        ManifestValidator.IGNORE_FILE).orElseThrow(), StandardCharsets.UTF_8).lines().toList());
                paths.removeIf(ignored);
            }
            // Read in batches and kept only here: 100,000 manifests are ~35 MB, which the snapshot need not hold too.
            snapshot.readEach(paths, 4096, files::putAll);
        }
        return new DesiredFiles(snapshot.commitId(), files, Map.of());
    }

    static boolean isManifestPath(String path) {
        if (!(path.endsWith(".yaml") || path.endsWith(".yml"))) {
            return false;
        }
        for (String seg : path.split("/")) {
            if (seg.startsWith(".")) {
                return false;
            }
        }
        return true;
    }

    /** This tree with local files written over it and, with prune, manifests under the folders that are gone. */
    DesiredFiles overlay(LocalManifests local, boolean prune) {
        SortedMap<String, byte[]> out = new TreeMap<>(files);
        Map<String, String> shown = new LinkedHashMap<>(shownAs);
        out.putAll(local.files());
        shown.putAll(local.shownAs());
        if (prune) {
            prunable(local).forEach(out::remove);
        }
        return new DesiredFiles(baseCommit, out, shown);
    }

    /** This tree's manifest files that {@code --prune} would remove: under the folders named, gone locally. */
    SortedSet<String> prunable(LocalManifests local) {
        SortedSet<String> out = new TreeSet<>();
        for (String p : files.keySet()) {
            if (!local.files().containsKey(p) && local.covers(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** The objects in {@code paths} of this tree, each with its file: what a prune of them would remove. */
    java.util.List<Unpruned> objectsIn(SortedSet<String> paths) {
        if (paths.isEmpty()) {
            return java.util.List.of();
        }
        DesiredManifests m = DesiredManifests.load(only(paths));
        java.util.List<Unpruned> out = new java.util.ArrayList<>();
        m.objects.forEach((key, manifest) -> out.add(new Unpruned(manifest.kind().yamlName(), manifest.name(),
                m.fileOf.get(key))));
        return out;
    }

    String shown(String path) {
        return shownAs.getOrDefault(path, path);
    }

    /** Paths whose bytes differ between the two trees, or that only one has. */
    SortedSet<String> changedFrom(DesiredFiles other) {
        SortedSet<String> out = new TreeSet<>();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            byte[] o = other.files.get(e.getKey());
            if (o == null || !Arrays.equals(o, e.getValue())) {
                out.add(e.getKey());
            }
        }
        for (String p : other.files.keySet()) {
            if (!files.containsKey(p)) {
                out.add(p);
            }
        }
        return out;
    }

    DesiredFiles only(java.util.Collection<String> paths) {
        SortedMap<String, byte[]> out = new TreeMap<>();
        for (String p : paths) {
            byte[] b = files.get(p);
            if (b != null) {
                out.put(p, b);
            }
        }
        return new DesiredFiles(baseCommit, out, shownAs);
    }
}
