package io.nvmesh.core.state;

import java.util.Map;
import java.util.Objects;

/**
 * The branch that holds desired manifests, as {@code nvmesh apply} sees it: read it, and commit a set of manifest
 * files on top of the commit the user's plan was made against, refusing if the branch has moved since.
 */
public final class DesiredBranch {

    /** The desired branch when none is configured. */
    public static final String DEFAULT = "main";

    private final StateStore store;
    private final String ref;

    public DesiredBranch(StateStore store, String branch) {
        this.store = Objects.requireNonNull(store, "store");
        this.ref = RefNames.full(branch);
    }

    /** The full ref name, e.g. {@code refs/heads/main}. */
    public String ref() {
        return ref;
    }

    public Snapshot read() {
        return store.read(ref);
    }

    /** The manifests as they were at {@code commitId}, e.g. the desired commit a reconciler last worked from. */
    public Snapshot readAt(String commitId) {
        return store.read(ref, commitId);
    }

    /**
     * Writes {@code manifests} (path → YAML bytes) over the branch at {@code expectedOldId} ({@code ""}: the branch
     * must not exist yet), as the author Git config names.
     */
    public CommitResult apply(String expectedOldId, Map<String, byte[]> manifests, String message) {
        return apply(expectedOldId, Changes.builder().putAll(manifests).build(), message, store.defaultAuthor());
    }

    /** Commits {@code changes} over the branch at {@code expectedOldId}, refusing if the branch moved. */
    public CommitResult apply(String expectedOldId, Changes changes, String message, Author author) {
        return store.commit(ref, expectedOldId, changes, message, author);
    }

    /** As above, the commit signed by {@code signer} ({@code null}: unsigned). */
    public CommitResult apply(String expectedOldId, Changes changes, String message, Author author,
            CommitSigner signer) {
        return store.commit(ref, expectedOldId, changes, message, author, signer);
    }
}
