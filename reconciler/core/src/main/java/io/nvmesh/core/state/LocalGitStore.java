package io.nvmesh.core.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * A bare repository on this machine. Compare-and-swap is JGit's {@link RefUpdate} with an expected old id: the ref's
 * lock file is taken, the ref re-read under it, and the new id written only if the old one matches.
 */
final class LocalGitStore extends GitStore {

    /** Attempts at a ref update while the ref has not moved but its lock was in the way (then: Busy). */
    private static final int LOCKED_ATTEMPTS = 3;

    private final StaleLocks locks;

    private LocalGitStore(Repository repo, StoreOptions options) {
        super(repo, options);
        this.locks = new StaleLocks(repo.getDirectory().toPath(), options.staleLockAfter());
    }

    static LocalGitStore openOrCreate(Path gitDir, StoreOptions options) {
        Objects.requireNonNull(gitDir, "gitDir");
        Objects.requireNonNull(options, "options");
        try {
            return new LocalGitStore(openOrCreateBare(gitDir), options);
        } catch (IOException e) {
            throw failure("cannot open repository " + gitDir, e);
        }
    }

    /**
     * Opens the bare repository at {@code gitDir}, creating it if needed. Creation happens in a sibling folder that is
     * then renamed into place, so writers in several threads or processes starting at once all end up opening one
     * complete repository instead of tripping over each other's half-made one.
     */
    static Repository openOrCreateBare(Path gitDir) throws IOException {
        Path dir = gitDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("objects"))) {
            Files.createDirectories(dir.getParent());
            Path scratch = Files.createTempDirectory(dir.getParent(), "." + dir.getFileName() + ".creating-");
            try {
                try (Repository fresh = new FileRepositoryBuilder().setGitDir(scratch.toFile()).setBare().build()) {
                    fresh.create(true);
                }
                // rename(2) replaces a missing or empty directory and fails on a non-empty one: one creator wins.
                Files.move(scratch, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException lost) {
                if (!Files.isDirectory(dir.resolve("objects"))) {
                    throw lost;
                }
            } finally {
                deleteTree(scratch);
            }
        }
        Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
        if (!repo.getObjectDatabase().exists()) {
            repo.close();
            throw new IOException(dir + " exists but is not a Git repository");
        }
        return repo;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    void haveCommits(String fullRef, java.util.List<ObjectId> ids) {
        // a local repository has whatever it has
    }

    /**
     * JGit takes a loose ref file that holds no commit id for a missing ref (with a warning in its log). For a state
     * ref that is the worst answer: "no state yet". A ref file that exists but does not parse is an error here; one
     * that holds a commit id was written between JGit's look and ours (a ref being created), and is the answer.
     */
    @Override
    ObjectId tip(String fullRef) throws IOException {
        ObjectId id = super.tip(fullRef);
        if (id == null) {
            Path loose = repo.getDirectory().toPath().resolve(fullRef);
            if (Files.isRegularFile(loose)) {
                String content;
                try {
                    content = new String(Files.readAllBytes(loose), java.nio.charset.StandardCharsets.UTF_8).strip();
                } catch (java.nio.file.NoSuchFileException gone) {
                    return null; // deleted since we looked: missing, as JGit said
                }
                if (ObjectId.isId(content)) {
                    // Not garbage: the ref was being created. JGit looked before the writer renamed its lock file
                    // into place, this look came after. The file is the ref now (RefCreationRaceTest).
                    ObjectId again = super.tip(fullRef);
                    return again != null ? again : ObjectId.fromString(content);
                }
                throw new StateStoreException(fullRef + " in " + repo.getDirectory() + " is unreadable: its file holds \""
                        + (content.length() > 60 ? content.substring(0, 60) + "..." : content)
                        + "\", not a commit id");
            }
        }
        return id;
    }

    @Override
    public String resolve(String ref) {
        String name = RefNames.full(ref);
        try {
            ObjectId id = tip(name);
            if (id != null) {
                try (org.eclipse.jgit.revwalk.RevWalk rw = new org.eclipse.jgit.revwalk.RevWalk(repo)) {
                    rw.parseCommit(id); // a ref to a missing or non-commit object is as unreadable as garbage
                }
            }
            return RefNames.hex(id);
        } catch (IOException e) {
            throw failure("cannot read " + name, e);
        }
    }

    @Override
    public void forceRef(String ref, String newId) {
        String name = RefNames.full(ref);
        ObjectId target = RefNames.expected(newId);
        try {
            Path loose = repo.getDirectory().toPath().resolve(name);
            if (Files.isRegularFile(loose) && super.tip(name) == null) {
                Files.delete(loose); // garbage JGit would not overwrite: the person asked for it to go
            }
            RefUpdate ru = repo.updateRef(name);
            ru.setForceUpdate(true);
            ru.setForceRefLog(true);
            ru.setRefLogMessage("nvmesh: forced to " + (target == null ? "nothing" : target.name()), false);
            RefUpdate.Result r;
            if (target == null) {
                r = ru.delete();
            } else {
                if (!has(target)) {
                    throw new StateStoreException("no commit " + newId + " in " + repo.getDirectory());
                }
                ru.setNewObjectId(target);
                r = ru.update();
            }
            if (r != RefUpdate.Result.FORCED && r != RefUpdate.Result.NEW && r != RefUpdate.Result.NO_CHANGE
                    && r != RefUpdate.Result.FAST_FORWARD) {
                throw new StateStoreException("forcing " + name + " failed: " + r);
            }
        } catch (IOException e) {
            throw failure("cannot force " + name, e);
        }
    }

    @Override
    public CommitResult setRef(String ref, String expectedOldId, String newId) {
        String name = RefNames.full(ref);
        ObjectId expected = RefNames.expected(expectedOldId);
        ObjectId target = RefNames.expected(newId);
        Objects.requireNonNull(target, "newId");
        try {
            if (!has(target)) {
                throw new StateStoreException("no commit " + newId + " in " + repo.getDirectory());
            }
            CommitResult lost = lostBeforeBuild(name, expected);
            return lost != null ? lost : publish(name, expected, target, "set to " + target.name());
        } catch (IOException e) {
            throw failure("cannot set " + name, e);
        }
    }

    @Override
    public Snapshot read(String ref) {
        String name = RefNames.full(ref);
        try {
            return snapshotAt(tip(name));
        } catch (IOException e) {
            throw failure("cannot read " + name, e);
        }
    }

    @Override
    public Snapshot read(String ref, String commitId) {
        RefNames.full(ref);
        ObjectId id = RefNames.expected(commitId);
        if (id == null) {
            return Snapshot.empty();
        }
        try {
            if (!has(id)) {
                throw new StateStoreException("no commit " + commitId + " in " + repo.getDirectory());
            }
            return snapshotAt(id);
        } catch (IOException e) {
            throw failure("cannot read commit " + commitId, e);
        }
    }

    /** A commit built on a base that is already gone cannot land. */
    @Override
    CommitResult lostBeforeBuild(String name, ObjectId expected) throws IOException {
        ObjectId current = tip(name);
        return Objects.equals(current, expected) ? null
                : new CommitResult.LostRace(RefNames.hex(expected), RefNames.hex(current));
    }

    @Override
    ObjectId currentTip(String name) throws IOException {
        return tip(name);
    }

    @Override
    StateStoreException commitFailure(String name, IOException e) {
        return failure("cannot commit to " + name, e);
    }

    @Override
    CommitResult publish(String name, ObjectId expected, ObjectId newId, String message) throws IOException {
        String reason = "";
        for (int attempt = 1; attempt <= LOCKED_ATTEMPTS; attempt++) {
            RefUpdate ru = repo.updateRef(name);
            ru.setExpectedOldObjectId(expected == null ? ObjectId.zeroId() : expected);
            ru.setNewObjectId(newId);
            ru.setRefLogMessage("nvmesh: " + message.lines().findFirst().orElse(""), false);
            // A bare repository keeps no reflog by default; the state's earlier tips are what fsck offers to restore.
            ru.setForceRefLog(true);
            RefUpdate.Result result = ru.update();
            switch (result) {
                case NEW, FAST_FORWARD, FORCED, NO_CHANGE:
                    return new CommitResult.Committed(newId.name(), RefNames.hex(expected));
                case LOCK_FAILURE, REJECTED:
                    ObjectId now = tip(name);
                    if (!Objects.equals(now, expected)) {
                        return new CommitResult.LostRace(RefNames.hex(expected), RefNames.hex(now));
                    }
                    StaleLocks.Inspection look = locks.recover(name);
                    if (look.fresh().isPresent() && look.removed().isEmpty()) {
                        return new CommitResult.Busy(look.fresh().get().toString(),
                                "held for " + look.freshAge().toMillis() + " ms, below the "
                                        + options.staleLockAfter().toSeconds() + " s threshold");
                    }
                    reason = look.removed().isEmpty() ? "lock released while we looked"
                            : "removed abandoned " + look.removed();
                    break;
                default:
                    throw new StateStoreException("updating " + name + " failed: " + result);
            }
        }
        return new CommitResult.Busy(locks.candidates(name).get(0).toString(), reason);
    }
}
