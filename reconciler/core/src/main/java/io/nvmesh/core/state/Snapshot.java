package io.nvmesh.core.state;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The files of a ref at one commit. Listing paths is cheap (the tree is walked when the snapshot is made); file
 * contents are read on first use and then kept, so a writer that looks at a few of 10,000 files reads only those.
 * {@link #commitId()} is the base to pass to {@link StateStore#commit} as the expected old id.
 */
public final class Snapshot {

    /** Loads file contents for the paths of one snapshot; implemented by the Git adapter. */
    interface Contents {
        byte[] load(String path);

        Map<String, byte[]> loadAll(SortedSet<String> paths);

        /** As {@link #loadAll(SortedSet)}; {@code keep} false: what is read is not added to a cache. */
        default Map<String, byte[]> loadAll(SortedSet<String> paths, boolean keep) {
            return loadAll(paths);
        }

        /** Whether the file at {@code path} (one of the snapshot's) holds exactly {@code bytes}. */
        boolean holds(String path, byte[] bytes);
    }

    private static final Snapshot EMPTY = new Snapshot("", Collections.emptyNavigableSet(), new Contents() {
        @Override
        public byte[] load(String path) {
            throw new IllegalStateException(path);
        }

        @Override
        public Map<String, byte[]> loadAll(SortedSet<String> paths) {
            return Map.of();
        }

        @Override
        public boolean holds(String path, byte[] bytes) {
            return false;
        }
    });

    /** {@link #readEach} of more files than this reads past the store's blob cache (≈ 2 KB a state file). */
    static final int CACHED_READ_FILES = 16_384;

    private final String commitId;
    private final NavigableSet<String> paths;
    private final Contents contents;
    private final Map<String, byte[]> loaded = new java.util.concurrent.ConcurrentHashMap<>();

    Snapshot(String commitId, NavigableSet<String> paths, Contents contents) {
        this.commitId = Objects.requireNonNull(commitId, "commitId");
        this.paths = Collections.unmodifiableNavigableSet(paths);
        this.contents = contents;
    }

    /** The snapshot of a ref that does not exist: no commit, no files. */
    public static Snapshot empty() {
        return EMPTY;
    }

    /** The commit id in hex, or {@code ""} when the ref does not exist. */
    public String commitId() {
        return commitId;
    }

    public boolean exists() {
        return !commitId.isEmpty();
    }

    /** Every file path, sorted. */
    public NavigableSet<String> paths() {
        return paths;
    }

    /** The paths under {@code directory} (without a trailing slash), sorted. */
    public NavigableSet<String> paths(String directory) {
        String prefix = Changes.checkPath(directory) + "/";
        // '/' + 1 == '0': every path starting with prefix sorts below prefix with its last char bumped.
        String end = directory + "0";
        return paths.subSet(prefix, true, end, false);
    }

    public boolean contains(String path) {
        return paths.contains(path);
    }

    /** A copy of the file's bytes, or empty if the snapshot has no such file. */
    public Optional<byte[]> file(String path) {
        if (!paths.contains(path)) {
            return Optional.empty();
        }
        return Optional.of(loaded.computeIfAbsent(path, contents::load).clone());
    }

    /** The file as UTF-8 text, or empty if the snapshot has no such file. */
    public Optional<String> text(String path) {
        return file(path).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** Every file and its bytes, sorted by path; reads all contents in one pass. */
    public Map<String, byte[]> files() {
        return files(paths);
    }

    /** The files under {@code directory} and their bytes, sorted by path. */
    public Map<String, byte[]> files(String directory) {
        return files(paths(directory));
    }

    /**
     * Reads the files at {@code wanted} (paths of this snapshot) in batches of at most {@code batchSize}, in path
     * order, handing each batch to {@code each} and keeping nothing: a reader that decodes 100,000 state files once
     * holds one batch of bytes at a time instead of all of them twice (here and in a copy). Files already read
     * through {@link #file} or {@link #files()} are taken from what is kept.
     */
    public void readEach(SortedSet<String> wanted, int batchSize, Consumer<Map<String, byte[]>> each) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize);
        }
        // A store's blob cache (64 MiB) is worth filling only when what is read can stay in it; a pass over more only
        // pushes out what a writer re-reads after a lost race.
        boolean keep = wanted.size() <= CACHED_READ_FILES;
        SortedSet<String> batch = new TreeSet<>();
        for (String p : wanted) {
            if (!paths.contains(p)) {
                throw new IllegalArgumentException("no file " + p + " in " + this);
            }
            batch.add(p);
            if (batch.size() == batchSize) {
                each.accept(batch(batch, keep));
                batch = new TreeSet<>();
            }
        }
        if (!batch.isEmpty()) {
            each.accept(batch(batch, keep));
        }
    }

    private Map<String, byte[]> batch(SortedSet<String> batch, boolean keep) {
        SortedSet<String> missing = new TreeSet<>();
        for (String p : batch) {
            if (!loaded.containsKey(p)) {
                missing.add(p);
            }
        }
        Map<String, byte[]> read = missing.isEmpty() ? Map.of() : contents.loadAll(missing, keep);
        Map<String, byte[]> out = new LinkedHashMap<>(batch.size() * 2);
        for (String p : batch) {
            byte[] b = read.get(p);
            out.put(p, b != null ? b.clone() : loaded.get(p).clone());
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Whether the file at {@code path} holds exactly {@code bytes}, without reading it: Git names a blob by the hash
     * of its bytes, so equal ids are equal contents. False when the snapshot has no such file.
     */
    public boolean holds(String path, byte[] bytes) {
        return paths.contains(path) && contents.holds(path, bytes);
    }

    private Map<String, byte[]> files(SortedSet<String> wanted) {
        SortedSet<String> missing = new TreeSet<>();
        for (String p : wanted) {
            if (!loaded.containsKey(p)) {
                missing.add(p);
            }
        }
        if (!missing.isEmpty()) {
            loaded.putAll(contents.loadAll(missing));
        }
        Map<String, byte[]> out = new LinkedHashMap<>(wanted.size() * 2);
        for (String p : wanted) {
            out.put(p, loaded.get(p).clone());
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        return "Snapshot[" + (exists() ? commitId : "<no ref>") + ", " + paths.size() + " files]";
    }
}
