package io.nvmesh.core.state;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Files on Git refs, changed by compare-and-swap commits. Recorded state lives on {@link #STATE_REF}, one file per
 * object; desired manifests live on a branch (see {@link DesiredBranch}). Every commit is built from the tree of the
 * commit it names as its base and is published only if the ref still points there, so two writers that read the same
 * tip can never both win.
 *
 * <p>Ref names are full ({@code refs/nvmesh/state}, {@code refs/heads/main}); a bare branch name such as {@code main}
 * means {@code refs/heads/main}. Commit ids are 40-digit hex strings; {@code ""} (or {@code null} where an expected id
 * is asked for) means "no such ref".
 *
 * <p>Implementations are safe for use by many threads. Open one with {@link #openOrCreate(Path)} (a bare repository on
 * this machine) or {@link #remote(String, Path, StoreOptions)} (any Git URL, through a local mirror).
 */
public interface StateStore extends AutoCloseable {

    /** Where reconcilers record inventory, allocations and the desired commit they last reconciled from. */
    String STATE_REF = "refs/nvmesh/state";

    /**
     * The files of {@code ref} at its current tip, or {@link Snapshot#empty()} if the ref does not exist. A ref that
     * exists but cannot be read (its file holds no commit id, it names a missing or non-commit object) throws
     * {@link StateStoreException}: it is never taken for "no such ref".
     */
    Snapshot read(String ref);

    /**
     * The files at {@code commitId}, a commit of {@code ref} (a remote store fetches {@code ref} if the commit is not
     * in its mirror yet). Throws {@link StateStoreException} if there is no such commit.
     */
    Snapshot read(String ref, String commitId);

    /**
     * Builds a commit from the tree of {@code expectedOldId} plus {@code changes}, without a working tree, and moves
     * {@code ref} to it only if the ref still points at {@code expectedOldId} ({@code null} or {@code ""}: only if the
     * ref does not exist). A lost race is a {@link CommitResult.LostRace}, not an exception.
     */
    CommitResult commit(String ref, String expectedOldId, Changes changes, String message, Author author);

    /**
     * As {@link #commit(String, String, Changes, String, Author)}, the commit signed by {@code signer} ({@code null}:
     * unsigned). Stores that cannot sign refuse a signer.
     */
    default CommitResult commit(String ref, String expectedOldId, Changes changes, String message, Author author,
            CommitSigner signer) {
        if (signer != null) {
            throw new UnsupportedOperationException("this store cannot sign commits");
        }
        return commit(ref, expectedOldId, changes, message, author);
    }

    /**
     * The commit object {@code commitId} of {@code ref} exactly as stored (headers, signature, message): what a
     * signature check reads. Throws {@link StateStoreException} if there is no such commit.
     */
    default byte[] rawCommit(String ref, String commitId) {
        throw new UnsupportedOperationException("this store cannot read raw commits");
    }

    /**
     * Read, decide, compare-and-swap, and on a lost race read again and decide again, with exponential backoff and
     * jitter, at most {@link RetryPolicy#maxAttempts()} times. {@code decide} sees the snapshot the commit will be
     * built on, so its checks (extents must not overlap) hold for the state it is published over. It may run several
     * times and must not have side effects of its own.
     */
    UpdateResult update(String ref, Author author, Function<Snapshot, Decision> decide);

    /**
     * The commit {@code ref} points at, {@code ""} if it does not exist; cheaper than {@link #read(String)} (no tree is
     * walked, a remote store only asks the server). An unreadable ref throws as {@link #read(String)} does.
     */
    String resolve(String ref);

    /**
     * Whether {@code ancestor} is {@code descendant} itself or one of its ancestors; both are commits of {@code ref}
     * (a remote store fetches {@code ref} if one is not in its mirror yet). False when either commit is unknown.
     */
    boolean isAncestor(String ref, String ancestor, String descendant);

    /**
     * The commits from {@code fromCommit} back along first parents, oldest first: to the root commit, or to the commit
     * after {@code stopAt} when {@code stopAt} is met on the way ({@code ""}: go to the root).
     */
    List<String> firstParents(String ref, String fromCommit, String stopAt);

    /**
     * Earlier tips of {@code ref} as this machine saw them, newest first (the ref's reflog; a remote store keeps one in
     * its mirror). Empty when none were seen. Commits whose objects are gone are left out.
     */
    List<String> previousTips(String ref);

    /**
     * Points {@code ref} at the existing commit {@code newId} by compare-and-swap on {@code expectedOldId} ({@code
     * ""}: the ref must not exist), without making a commit: what {@code nvmesh state restore} and the state anchor
     * need. A lost race is a {@link CommitResult.LostRace}.
     */
    CommitResult setRef(String ref, String expectedOldId, String newId);

    /**
     * Points {@code ref} at the existing commit {@code newId} ({@code ""}: deletes it) whatever it holds now, even if
     * it is unreadable. Only for a person's explicit repair ({@code nvmesh state restore}, {@code state init --force});
     * writers use {@link #commit} and {@link #setRef}.
     */
    void forceRef(String ref, String newId);

    /**
     * Reads every tree and file of {@code commitId} (a commit of {@code ref}) past any cache, as a restarted writer
     * would, and lists each object that cannot be read as {@code path (object <id>): reason}. Empty when all read.
     */
    List<String> damagedObjects(String ref, String commitId);

    /**
     * Packs this machine's copy of the repository (a remote store: its mirror; the server packs its own) with JGit's
     * garbage collector, safely while other writers commit: no ref is moved, every reflog is kept and walked, new
     * objects survive, one run at a time per repository. See docs/state-store.md (maintenance).
     */
    default PackReport pack() {
        throw new UnsupportedOperationException("this store cannot be packed");
    }

    /** The author to use when a person is acting: {@code user.name}/{@code user.email} from Git config if set. */
    Author defaultAuthor();

    @Override
    void close();

    /** A bare repository at {@code gitDir}, created on first use, with default options. */
    static StateStore openOrCreate(Path gitDir) {
        return openOrCreate(gitDir, StoreOptions.forWriter(DefaultWriter.id()));
    }

    /** A bare repository at {@code gitDir}, created on first use. */
    static StateStore openOrCreate(Path gitDir, StoreOptions options) {
        return LocalGitStore.openOrCreate(gitDir, options);
    }

    /**
     * A remote repository at {@code url} (file://, git://, http(s)://, ssh://), mirrored in a bare repository under
     * {@code cacheDir}. Reads fetch the ref; commits are built in the mirror and pushed with a lease on the expected
     * old id.
     */
    static StateStore remote(String url, Path cacheDir, StoreOptions options) {
        return RemoteGitStore.open(url, cacheDir, options);
    }
}
