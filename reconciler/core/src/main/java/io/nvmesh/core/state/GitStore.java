package io.nvmesh.core.state;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.errors.ObjectWritingException;
import org.eclipse.jgit.internal.storage.file.ObjectDirectory;
import org.eclipse.jgit.internal.storage.file.PackInserter;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.GpgSignature;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.UserConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * What the local and the remote store share: snapshots read from a repository's object database, and commits built
 * there from a base tree plus changes, in memory (DirCache) rather than in a working tree.
 */
abstract class GitStore implements StateStore {

    /** A commit made but not yet published; {@code treeChanged} is false when the changes left the tree as it was. */
    record Built(ObjectId commitId, boolean treeChanged) {
    }

    /** From this many files in one commit on, new objects go into one pack instead of loose files. */
    static final int BULK_PUTS = 256;

    final Repository repo;
    final StoreOptions options;
    private final BlobCache blobs = new BlobCache(64L << 20);
    /** Hashes bytes as Git names a blob of them; a formatter keeps a digest, so one per thread. */
    private static final ThreadLocal<ObjectInserter.Formatter> BLOB_IDS =
            ThreadLocal.withInitial(ObjectInserter.Formatter::new);
    private final RetryLoop retry;

    GitStore(Repository repo, StoreOptions options) {
        this.repo = repo;
        this.options = options;
        this.retry = new RetryLoop(this, options.retry(), RetryLoop.THREAD_SLEEP);
    }

    @Override
    public UpdateResult update(String ref, Author author, Function<Snapshot, Decision> decide) {
        return retry.run(RefNames.full(ref), author, decide);
    }

    @Override
    public Author defaultAuthor() {
        UserConfig user = repo.getConfig().get(UserConfig.KEY);
        String name = user.isAuthorNameImplicit() ? "nvmesh" : user.getAuthorName();
        String email = user.isAuthorEmailImplicit() ? options.writerId() + "@" + DefaultWriter.host()
                : user.getAuthorEmail();
        return new Author(name, email);
    }

    @Override
    public PackReport pack() {
        return RepositoryPacker.pack(repo);
    }

    @Override
    public void close() {
        repo.close();
    }

    /** Makes sure the commits are in the object database if they can be had (a remote store fetches {@code ref}). */
    abstract void haveCommits(String fullRef, List<ObjectId> ids) throws IOException;

    @Override
    public CommitResult commit(String ref, String expectedOldId, Changes changes, String message, Author author) {
        return commit(ref, expectedOldId, changes, message, author, null);
    }

    /**
     * One commit for every store: an early answer when the base cannot land, the commit built on the base, and then
     * either the answer for a commit that changes nothing or the compare-and-swap that publishes it.
     */
    @Override
    public CommitResult commit(String ref, String expectedOldId, Changes changes, String message, Author author,
            CommitSigner signer) {
        String name = RefNames.full(ref);
        ObjectId expected = RefNames.expected(expectedOldId);
        Objects.requireNonNull(changes, "changes");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(author, "author");
        try {
            CommitResult lost = lostBeforeBuild(name, expected);
            if (lost != null) {
                return lost;
            }
            Built built = build(expected, changes, message, author, signer);
            if (!built.treeChanged()) {
                // Nothing to publish; the answer is right as of this read of the ref.
                ObjectId now = currentTip(name);
                return Objects.equals(now, expected)
                        ? new CommitResult.Committed(RefNames.hex(expected), RefNames.hex(expected))
                        : new CommitResult.LostRace(RefNames.hex(expected), RefNames.hex(now));
            }
            return publish(name, expected, built.commitId(), message);
        } catch (IOException e) {
            throw commitFailure(name, e);
        }
    }

    /** A cheap early answer when a commit on {@code expected} cannot land (its base is gone); null: build it. */
    abstract CommitResult lostBeforeBuild(String fullRef, ObjectId expected) throws IOException;

    /** The ref's tip where the compare-and-swap happens. */
    abstract ObjectId currentTip(String fullRef) throws IOException;

    /** Moves the ref from {@code expected} to {@code newId} if it still is at {@code expected}. */
    abstract CommitResult publish(String fullRef, ObjectId expected, ObjectId newId, String message)
            throws IOException;

    /** The error for a commit that failed on I/O, saying where. */
    abstract StateStoreException commitFailure(String fullRef, IOException e);

    @Override
    public boolean isAncestor(String ref, String ancestor, String descendant) {
        String name = RefNames.full(ref);
        ObjectId a = RefNames.expected(ancestor);
        ObjectId d = RefNames.expected(descendant);
        if (a == null || d == null) {
            return false;
        }
        if (a.equals(d)) {
            return true;
        }
        try {
            haveCommits(name, List.of(a, d));
            if (!has(a) || !has(d)) {
                return false;
            }
            try (RevWalk rw = new RevWalk(repo)) {
                return rw.isMergedInto(rw.parseCommit(a), rw.parseCommit(d));
            }
        } catch (IOException e) {
            throw failure("cannot compare commits " + ancestor + " and " + descendant, e);
        }
    }

    @Override
    public List<String> firstParents(String ref, String fromCommit, String stopAt) {
        String name = RefNames.full(ref);
        ObjectId from = RefNames.expected(fromCommit);
        ObjectId stop = RefNames.expected(stopAt);
        if (from == null) {
            return List.of();
        }
        try {
            haveCommits(name, List.of(from));
            List<String> out = new ArrayList<>();
            try (RevWalk rw = new RevWalk(repo)) {
                RevCommit c = rw.parseCommit(from);
                while (c != null && !c.equals(stop)) {
                    out.add(c.name());
                    c = c.getParentCount() == 0 ? null : rw.parseCommit(c.getParent(0));
                }
            }
            java.util.Collections.reverse(out);
            return out;
        } catch (IOException e) {
            throw failure("cannot walk the history of " + name + " from " + fromCommit, e);
        }
    }

    /**
     * Read from the reflog file itself: JGit's reader looks the ref up first and has nothing to say once the ref is
     * missing or unreadable, which is exactly when this is asked.
     */
    @Override
    public List<String> previousTips(String ref) {
        String name = RefNames.full(ref);
        java.nio.file.Path log = repo.getDirectory().toPath().resolve("logs").resolve(name);
        List<String> out = new ArrayList<>();
        try {
            if (!java.nio.file.Files.isRegularFile(log)) {
                return out;
            }
            List<String> lines = java.nio.file.Files.readAllLines(log, java.nio.charset.StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String[] f = lines.get(i).split(" ", 3);
                for (int k = 1; k >= 0 && f.length > 1; k--) {
                    if (ObjectId.isId(f[k])) {
                        ObjectId id = ObjectId.fromString(f[k]);
                        if (!id.equals(ObjectId.zeroId()) && !out.contains(id.name()) && has(id)) {
                            out.add(id.name());
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw failure("cannot read the reflog of " + name, e);
        }
        return out;
    }

    @Override
    public List<String> damagedObjects(String ref, String commitId) {
        String name = RefNames.full(ref);
        ObjectId id = RefNames.expected(commitId);
        List<String> out = new ArrayList<>();
        if (id == null) {
            return out;
        }
        try (ObjectReader reader = repo.newObjectReader(); RevWalk rw = new RevWalk(reader);
                TreeWalk tw = new TreeWalk(reader)) {
            RevCommit c;
            try {
                c = rw.parseCommit(id);
                tw.addTree(c.getTree());
            } catch (IOException e) {
                out.add("commit " + commitId + ": " + e.getMessage());
                return out;
            }
            tw.setRecursive(true);
            while (true) {
                try {
                    if (!tw.next()) {
                        break;
                    }
                } catch (IOException e) {
                    out.add("a tree of commit " + commitId + ": " + e.getMessage());
                    break;
                }
                ObjectId blob = tw.getObjectId(0);
                try (var in = reader.open(blob, Constants.OBJ_BLOB).openStream()) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException | RuntimeException e) {
                    out.add(tw.getPathString() + " (object " + blob.name() + "): " + e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            out.add(name + " at " + commitId + ": " + e.getMessage());
        }
        return out;
    }

    @Override
    public byte[] rawCommit(String ref, String commitId) {
        String name = RefNames.full(ref);
        ObjectId id = RefNames.expected(commitId);
        if (id == null) {
            throw new StateStoreException("no commit id given");
        }
        try {
            haveCommits(name, List.of(id));
            try (ObjectReader reader = repo.newObjectReader()) {
                return reader.open(id, Constants.OBJ_COMMIT).getCachedBytes(Integer.MAX_VALUE);
            }
        } catch (IOException e) {
            throw failure("cannot read commit " + commitId, e);
        }
    }

    ObjectId tip(String fullRef) throws IOException {
        Ref r = repo.exactRef(fullRef);
        return r == null ? null : r.getObjectId();
    }

    boolean has(ObjectId id) throws IOException {
        return repo.getObjectDatabase().has(id);
    }

    Snapshot snapshotAt(ObjectId commitId) throws IOException {
        if (commitId == null) {
            return Snapshot.empty();
        }
        TreeMap<String, ObjectId> ids = new TreeMap<>();
        String name;
        try (ObjectReader reader = repo.newObjectReader(); RevWalk rw = new RevWalk(reader);
                TreeWalk tw = new TreeWalk(reader)) {
            RevCommit c = rw.parseCommit(commitId);
            name = c.name();
            tw.addTree(c.getTree());
            tw.setRecursive(true);
            while (tw.next()) {
                if (tw.getFileMode(0).getObjectType() == Constants.OBJ_BLOB) {
                    ids.put(tw.getPathString(), tw.getObjectId(0));
                }
            }
        }
        return new Snapshot(name, ids.navigableKeySet(), new Contents(ids));
    }

    /** From this many blobs in one read on, they are read on every core (see {@code Contents.loadAll}). */
    static final int PARALLEL_READS = 1024;

    /** Reads blobs of one snapshot through the shared cache. */
    private final class Contents implements Snapshot.Contents {
        private final Map<String, ObjectId> ids;

        Contents(Map<String, ObjectId> ids) {
            this.ids = ids;
        }

        @Override
        public byte[] load(String path) {
            try (ObjectReader reader = repo.newObjectReader()) {
                return blob(reader, ids.get(path), true);
            } catch (IOException e) {
                throw new StateStoreException("cannot read " + path + " (object " + ids.get(path).name() + "): "
                        + e.getMessage(), e);
            }
        }

        @Override
        public Map<String, byte[]> loadAll(SortedSet<String> paths) {
            return loadAll(paths, true);
        }

        /**
         * Reads the blobs at {@code paths}. A large read (a batch of a 100,000-volume state) is split into one part per
         * core, each read by an object reader of its own: inflating is most of reading a blob, and a single reader
         * left one core of two idle while the state was decoded. The first failure, in path order, is thrown as a
         * read of one part would throw it.
         */
        @Override
        public Map<String, byte[]> loadAll(SortedSet<String> paths, boolean keep) {
            List<String> wanted = new ArrayList<>(paths);
            byte[][] read = new byte[wanted.size()][];
            int parts = Math.min(Runtime.getRuntime().availableProcessors(), wanted.size() / (PARALLEL_READS / 2));
            if (parts < 2) {
                readPart(wanted, 0, wanted.size(), read, keep);
            } else {
                RuntimeException[] failed = new RuntimeException[parts];
                java.util.stream.IntStream.range(0, parts).parallel().forEach(part -> {
                    try {
                        readPart(wanted, (int) ((long) wanted.size() * part / parts),
                                (int) ((long) wanted.size() * (part + 1) / parts), read, keep);
                    } catch (RuntimeException e) {
                        failed[part] = e; // thrown here, not from a pool thread, so that it stays as it is
                    }
                });
                for (RuntimeException e : failed) {
                    if (e != null) {
                        throw e;
                    }
                }
            }
            Map<String, byte[]> out = new HashMap<>(wanted.size() * 2);
            for (int i = 0; i < read.length; i++) {
                out.put(wanted.get(i), read[i]);
            }
            return out;
        }

        private void readPart(List<String> paths, int from, int to, byte[][] into, boolean keep) {
            try (ObjectReader reader = repo.newObjectReader()) {
                for (int i = from; i < to; i++) {
                    String p = paths.get(i);
                    try {
                        into[i] = blob(reader, ids.get(p), keep);
                    } catch (IOException e) {
                        throw new StateStoreException("cannot read " + p + " (object " + ids.get(p).name() + "): "
                                + e.getMessage(), e);
                    }
                }
            }
        }

        @Override
        public boolean holds(String path, byte[] bytes) {
            return ids.get(path).equals(BLOB_IDS.get().idFor(Constants.OBJ_BLOB, bytes));
        }

        private byte[] blob(ObjectReader reader, ObjectId id, boolean keep) throws IOException {
            byte[] b = blobs.get(id);
            if (b == null) {
                b = reader.open(id, Constants.OBJ_BLOB).getCachedBytes(Integer.MAX_VALUE);
                if (keep) {
                    blobs.put(id, b);
                }
            }
            return b;
        }
    }

    /** The tree of {@code parent} (none: empty) plus {@code changes}, committed to the object database only. */
    Built build(ObjectId parent, Changes changes, String message, Author author) throws IOException {
        return build(parent, changes, message, author, null);
    }

    /** Attempts at writing a commit's objects when the object database moved a folder away under the writer. */
    static final int WRITE_ATTEMPTS = 3;

    /**
     * As above, signed by {@code signer} when there is one. A loose object whose fan-out folder was removed between
     * the inserter creating it and renaming the object into it (a pack run removes emptied folders) fails with
     * {@link ObjectWritingException}; objects are named by their content, so writing them all again is harmless.
     */
    Built build(ObjectId parent, Changes changes, String message, Author author, CommitSigner signer)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return buildOnce(parent, changes, message, author, signer);
            } catch (ObjectWritingException e) {
                if (attempt >= WRITE_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private Built buildOnce(ObjectId parent, Changes changes, String message, Author author, CommitSigner signer)
            throws IOException {
        try (ObjectInserter ins = inserterFor(changes); ObjectReader reader = ins.newReader();
                RevWalk rw = new RevWalk(reader)) {
            DirCache dc = DirCache.newInCore();
            ObjectId baseTree = null;
            if (parent != null) {
                baseTree = rw.parseCommit(parent).getTree().copy();
                DirCacheBuilder b = dc.builder();
                b.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, baseTree);
                b.finish();
            }
            SortedSet<String> deletes = new TreeSet<>(changes.deletes());
            for (String dir : changes.deletedTrees()) {
                for (DirCacheEntry e : dc.getEntriesWithin(dir)) {
                    if (!changes.puts().containsKey(e.getPathString())) {
                        deletes.add(e.getPathString());
                    }
                }
            }
            DirCacheEditor ed = dc.editor();
            for (String p : deletes) {
                ed.add(new DirCacheEditor.DeletePath(p));
            }
            Map<String, ObjectId> blobs = insertBlobs(ins, changes.puts());
            for (Map.Entry<String, byte[]> e : changes.puts().entrySet()) {
                ObjectId blob = blobs.get(e.getKey());
                ed.add(new DirCacheEditor.PathEdit(e.getKey()) {
                    @Override
                    public void apply(DirCacheEntry ent) {
                        ent.setFileMode(FileMode.REGULAR_FILE);
                        ent.setObjectId(blob);
                    }
                });
            }
            ed.finish();
            ObjectId tree = dc.writeTree(ins);
            if (tree.equals(baseTree)) {
                return new Built(parent, false);
            }
            PersonIdent who = new PersonIdent(author.name(), author.email(), Instant.now(), ZoneId.systemDefault());
            CommitBuilder cb = new CommitBuilder();
            cb.setTreeId(tree);
            if (parent != null) {
                cb.setParentId(parent);
            }
            cb.setAuthor(who);
            cb.setCommitter(who);
            cb.setMessage(message.endsWith("\n") ? message : message + "\n");
            if (signer != null) {
                cb.setGpgSignature(new GpgSignature(signer.sign(cb.build())));
            }
            ObjectId id = ins.insert(cb);
            ins.flush();
            return new Built(id, true);
        }
    }

    /** From this many files in one commit on, their blobs are hashed and compressed on every core (see insertBlobs). */
    static final int PARALLEL_PUTS = 4 * BULK_PUTS;

    /**
     * Writes the blob of every put, by path. A large write (a first reconcile of 100,000 volumes: 105,000 blobs, ~200 MB)
     * is split into one part per core, each hashed (with JGit's collision detection, as every object it writes),
     * compressed and written by a pack inserter of its own into a pack of its own, and those packs are complete in
     * the object database before the caller writes the trees that name their blobs. Nothing about publishing changes:
     * the ref still moves only by the compare-and-swap after the commit's objects are all written, and a writer that
     * stops before leaves unreferenced objects, as it would with one pack. Git reads any number of packs.
     */
    private Map<String, ObjectId> insertBlobs(ObjectInserter ins, Map<String, byte[]> puts) throws IOException {
        Map<String, ObjectId> out = new HashMap<>(puts.size() * 2);
        int parts = Math.min(Runtime.getRuntime().availableProcessors(), puts.size() / BULK_PUTS);
        if (puts.size() < PARALLEL_PUTS || parts < 2 || !(ins instanceof PackInserter)
                || !(repo.getObjectDatabase() instanceof ObjectDirectory dir)) {
            for (Map.Entry<String, byte[]> e : puts.entrySet()) {
                out.put(e.getKey(), ins.insert(Constants.OBJ_BLOB, e.getValue()));
            }
            return out;
        }
        List<Map.Entry<String, byte[]>> files = new ArrayList<>(puts.entrySet());
        ObjectId[] ids = new ObjectId[files.size()];
        try {
            java.util.stream.IntStream.range(0, parts).parallel().forEach(part -> {
                int from = (int) ((long) files.size() * part / parts);
                int to = (int) ((long) files.size() * (part + 1) / parts);
                try (PackInserter pack = dir.newPackInserter()) {
                    pack.checkExisting(true);
                    for (int i = from; i < to; i++) {
                        ids[i] = pack.insert(Constants.OBJ_BLOB, files.get(i).getValue());
                    }
                    pack.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        for (int i = 0; i < ids.length; i++) {
            out.put(files.get(i).getKey(), ids[i]);
        }
        return out;
    }

    /**
     * Loose objects for the usual few files; one pack for a bulk write (an inventory import, a large batch), because
     * ten thousand loose files are slow to write and, until someone packs them, slow to read back.
     */
    private ObjectInserter inserterFor(Changes changes) {
        if (changes.puts().size() >= BULK_PUTS && repo.getObjectDatabase() instanceof ObjectDirectory dir) {
            PackInserter pack = dir.newPackInserter();
            pack.checkExisting(true);
            return pack;
        }
        return repo.newObjectInserter();
    }

    static StateStoreException failure(String what, Exception e) {
        return new StateStoreException(what + ": " + e.getMessage(), e);
    }
}
