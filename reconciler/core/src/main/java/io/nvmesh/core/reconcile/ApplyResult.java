package io.nvmesh.core.reconcile;

import java.util.List;
import java.util.Objects;

/**
 * What {@code nvmesh apply} published.
 *
 * @param branch the full ref written
 * @param previousCommit the tip it was built on ({@code ""}: the branch was created)
 * @param commit the new tip (equal to {@code previousCommit} when nothing changed)
 * @param written files added or changed
 * @param removed files removed ({@code --prune})
 * @param kept objects on the branch whose files are gone from the folders given, kept because {@code --prune} was
 *        not asked
 */
public record ApplyResult(String branch, String previousCommit, String commit, List<String> written,
        List<String> removed, List<Unpruned> kept) {

    public ApplyResult {
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(previousCommit, "previousCommit");
        Objects.requireNonNull(commit, "commit");
        written = List.copyOf(written);
        removed = List.copyOf(removed);
        kept = List.copyOf(kept);
    }

    public ApplyResult(String branch, String previousCommit, String commit, List<String> written,
            List<String> removed) {
        this(branch, previousCommit, commit, written, removed, List.of());
    }

    ApplyResult withKept(List<Unpruned> objects) {
        return new ApplyResult(branch, previousCommit, commit, written, removed, objects);
    }

    public boolean changed() {
        return !commit.equals(previousCommit);
    }
}
