package io.nvmesh.core.state;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one commit changes in a tree: files to write, files to delete, directories to empty. Many changes in one value
 * become one commit, which is how callers batch (one allocation per file, a hundred allocations per commit).
 *
 * <p>Paths are relative, separated by {@code /}, and must not contain empty, {@code .}, {@code ..} or {@code .git}
 * segments. A put wins over a {@link Builder#deleteTree deleteTree} of its directory, so
 * {@code deleteTree("volumes").put("volumes/a", ...)} replaces the whole directory with {@code a}.
 */
public final class Changes {

    private final SortedMap<String, byte[]> puts;
    private final SortedSet<String> deletes;
    private final SortedSet<String> deletedTrees;

    private Changes(Builder b) {
        this.puts = Collections.unmodifiableSortedMap(new TreeMap<>(b.puts));
        this.deletes = Collections.unmodifiableSortedSet(new TreeSet<>(b.deletes));
        this.deletedTrees = Collections.unmodifiableSortedSet(new TreeSet<>(b.deletedTrees));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One file written, the common case of a single allocation. */
    public static Changes put(String path, byte[] content) {
        return builder().put(path, content).build();
    }

    public boolean isEmpty() {
        return puts.isEmpty() && deletes.isEmpty() && deletedTrees.isEmpty();
    }

    /** Number of paths named by this value (puts, deletes and emptied directories). */
    public int size() {
        return puts.size() + deletes.size() + deletedTrees.size();
    }

    /** Every path this value names: written, deleted, and emptied directories. */
    public SortedSet<String> paths() {
        SortedSet<String> out = new TreeSet<>(puts.keySet());
        out.addAll(deletes);
        out.addAll(deletedTrees);
        return Collections.unmodifiableSortedSet(out);
    }

    /** These changes and one more file written. */
    public Changes plus(String path, byte[] content) {
        Builder b = builder();
        b.puts.putAll(puts);
        b.deletes.addAll(deletes);
        b.deletedTrees.addAll(deletedTrees);
        return b.put(path, content).build();
    }

    SortedMap<String, byte[]> puts() {
        return puts;
    }

    SortedSet<String> deletes() {
        return deletes;
    }

    SortedSet<String> deletedTrees() {
        return deletedTrees;
    }

    @Override
    public String toString() {
        return "Changes[put=" + puts.keySet() + ", delete=" + deletes + ", deleteTree=" + deletedTrees + "]";
    }

    /** Collects changes; the last word on a path wins (a put after a delete of the same path is a put). */
    public static final class Builder {

        private final Map<String, byte[]> puts = new TreeMap<>();
        private final SortedSet<String> deletes = new TreeSet<>();
        private final SortedSet<String> deletedTrees = new TreeSet<>();

        private Builder() {
        }

        public Builder put(String path, byte[] content) {
            Objects.requireNonNull(content, "content");
            String p = checkPath(path);
            deletes.remove(p);
            puts.put(p, content.clone());
            return this;
        }

        /**
         * {@link #put(String, byte[])} without the defensive copy: the caller hands {@code content} over and never
         * changes it again. A first state of 100,000 volumes encodes ~190 MB of files; a copy of each, made while the
         * encoded originals are still held, doubled the peak heap of {@code reconcile --once} (issue #20).
         */
        public Builder putOwned(String path, byte[] content) {
            Objects.requireNonNull(content, "content");
            String p = checkPath(path);
            deletes.remove(p);
            puts.put(p, content);
            return this;
        }

        public Builder put(String path, String utf8) {
            return put(path, utf8.getBytes(StandardCharsets.UTF_8));
        }

        public Builder delete(String path) {
            String p = checkPath(path);
            puts.remove(p);
            deletes.add(p);
            return this;
        }

        /** Removes every file under {@code directory} that this value does not put. */
        public Builder deleteTree(String directory) {
            deletedTrees.add(checkPath(directory));
            return this;
        }

        public Builder putAll(Map<String, byte[]> files) {
            files.forEach(this::put);
            return this;
        }

        /** Refuses a value that writes both a file and a file beneath it ({@code a} and {@code a/b}). */
        public Changes build() {
            TreeMap<String, byte[]> sorted = new TreeMap<>(puts);
            for (String p : sorted.keySet()) {
                String below = sorted.ceilingKey(p + "/");
                if (below != null && below.startsWith(p + "/")) {
                    throw new IllegalArgumentException(
                            String.format("cannot put both \"%s\" and \"%s\": one would be a file and a directory",
                                    p, below));
                }
            }
            return new Changes(this);
        }
    }

    static String checkPath(String path) {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.indexOf('\0') >= 0
                || path.indexOf('\\') >= 0) {
            throw new IllegalArgumentException(String.format("path \"%s\" is not a relative path", path));
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                    || segment.toLowerCase(Locale.ROOT).equals(".git")) {
                throw new IllegalArgumentException(
                        String.format("path \"%s\" has a segment Git cannot store: \"%s\"", path, segment));
            }
        }
        return path;
    }
}
