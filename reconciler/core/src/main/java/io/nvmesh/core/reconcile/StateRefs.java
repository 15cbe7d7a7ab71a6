package io.nvmesh.core.reconcile;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.CommitIds;
import io.nvmesh.core.state.CommitResult;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.StateStoreException;
import java.util.List;
import java.util.Optional;

/**
 * The explicit acts of a person on the state ref, outside every ordinary write: {@code nvmesh state init} starts a new
 * state, {@code nvmesh state restore} points the ref back at an earlier one, and {@link #anchor} tells {@code fsck} the
 * anchored root. Ordinary writes go through {@link StateWriter}, which never starts a state over one that existed.
 */
public final class StateRefs {

    /** The anchor is the writer's safety rule (see {@link StateWriter}); these acts move it only on purpose. */
    private static final String ANCHOR_REF = StateWriter.ANCHOR_REF;

    private StateRefs() {
    }

    /**
     * {@code nvmesh state init}: an empty first state commit and the anchor on it. Refused while a state exists, and
     * while an anchor or reflog says one existed, unless {@code force}; forced, the new state's root replaces the
     * anchor (the old history stays in the repository until garbage collection).
     *
     * @return the new state commit
     */
    public static String init(StateStore store, Author author, boolean force) {
        String tip;
        try {
            tip = store.resolve(StateStore.STATE_REF);
        } catch (StateStoreException unreadable) {
            tip = "unreadable";
        }
        String anchor = store.resolve(ANCHOR_REF);
        List<String> seen = store.previousTips(StateStore.STATE_REF);
        if (!force && (!tip.isEmpty() || !anchor.isEmpty() || !seen.isEmpty())) {
            throw new GitOpsRefusal("refused to start a new recorded state: " + (!tip.isEmpty()
                    ? "refs/nvmesh/state exists (" + (tip.equals("unreadable") ? tip : CommitIds.shortId(tip))
                    + ")"
                    : "a state existed here (" + (anchor.isEmpty() ? "" : "root " + CommitIds.shortId(anchor)
                    + ", ") + "last seen " + (seen.isEmpty() ? "unknown" : CommitIds.shortId(seen.get(0)))
                    + ")"), List.of("a new state forgets every allocation: drive space in use would be handed out "
                    + "again", "to bring the old state back: nvmesh state restore COMMIT (nvmesh fsck lists "
                    + "candidates)", "to start afresh anyway: nvmesh state init --force"));
        }
        RecordedState empty = RecordedState.empty().at("", 1);
        Changes changes = Changes.builder().putAll(StateFiles.encode(empty)).build();
        String scratch = "refs/nvmesh/state-init";
        store.forceRef(scratch, "");
        CommitResult r = store.commit(scratch, "", changes, "state init: a new, empty recorded state", author);
        if (!(r instanceof CommitResult.Committed c)) {
            throw new GitOpsRefusal("could not start a new recorded state: " + r);
        }
        if (tip.isEmpty()) {
            CommitResult s = store.setRef(StateStore.STATE_REF, "", c.commitId());
            if (!(s instanceof CommitResult.Committed)) {
                store.forceRef(scratch, "");
                throw new GitOpsRefusal("could not start a new recorded state: another writer created one (" + s
                        + ")");
            }
        } else {
            store.forceRef(StateStore.STATE_REF, c.commitId());
        }
        store.forceRef(ANCHOR_REF, c.commitId());
        store.forceRef(scratch, "");
        return c.commitId();
    }

    /**
     * {@code nvmesh state restore COMMIT}: points the state ref back at an earlier state commit, which must decode
     * cleanly and descend from the anchored root. Refused when the ref is readable and already there.
     *
     * @return the commit the ref pointed at before ({@code ""}: missing or unreadable)
     */
    public static String restore(StateStore store, String commit) {
        return restore(store, commit, false);
    }

    /**
     * As {@link #restore(StateStore, String)}; without {@code force} it refuses to move a ref that still reads (a
     * readable tip is rewound only on purpose: what was recorded since {@code commit} would be forgotten).
     */
    public static String restore(StateStore store, String commit, boolean force) {
        String anchor = store.resolve(ANCHOR_REF);
        List<String> chain = store.firstParents(StateStore.STATE_REF, commit, "");
        if (!anchor.isEmpty() && !chain.get(0).equals(anchor)) {
            throw new GitOpsRefusal("refused to restore " + commit + ": its history starts at "
                    + CommitIds.shortId(chain.get(0)) + ", not at the state's root "
                    + CommitIds.shortId(anchor));
        }
        Reconciliation.decode(store.read(StateStore.STATE_REF, commit));
        String current;
        try {
            current = store.resolve(StateStore.STATE_REF);
        } catch (StateStoreException unreadable) {
            current = null;
        }
        if (commit.equals(current)) {
            throw new GitOpsRefusal("refs/nvmesh/state already points at " + commit);
        }
        if (!force && current != null && !current.isEmpty()) {
            throw new GitOpsRefusal("refused to restore " + commit + ": refs/nvmesh/state points at " + current
                    + ", which still reads", List.of("restoring rewinds the state: every allocation recorded since "
                    + commit + " is forgotten and its drive space could be handed out again",
                    "a damaged object is repaired, not rewound past (nvmesh fsck says how)",
                    "to rewind anyway: nvmesh state restore --force " + commit));
        }
        if (current == null) {
            store.forceRef(StateStore.STATE_REF, commit);
        } else {
            CommitResult r = store.setRef(StateStore.STATE_REF, current, commit);
            if (!(r instanceof CommitResult.Committed)) {
                throw new GitOpsRefusal("could not restore refs/nvmesh/state to " + commit + ": " + r);
            }
        }
        if (anchor.isEmpty()) {
            store.setRef(ANCHOR_REF, "", chain.get(0));
        }
        return current == null ? "" : current;
    }

    /** The anchored root, if any: for {@code fsck}. */
    public static Optional<String> anchor(StateStore store) {
        String a = store.resolve(ANCHOR_REF);
        return a.isEmpty() ? Optional.empty() : Optional.of(a);
    }
}
