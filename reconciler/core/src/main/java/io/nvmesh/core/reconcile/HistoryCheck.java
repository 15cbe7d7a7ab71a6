package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.CommitIds;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.StateStoreException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code nvmesh fsck --history}: walks every state commit (first parents, oldest first) and checks each against its
 * parent with the rules every writer keeps ({@link Transition}), against the facts of the desired commit it records:
 * no extent of one volume ever overlaps another's; space is freed only when released; a segment is replaced only while
 * its group has a live copy, or for an accepted loss; a deleted volume is absent from the desired commit it was
 * deleted for; the desired commit never moves backwards; generations count up by one; and the history starts at the
 * anchored root. It is the check that concurrency and fault tests end with.
 */
public final class HistoryCheck {

    /** One broken rule at one state commit. */
    public record Finding(String commit, long generation, String message) {
        public Finding {
            Objects.requireNonNull(commit, "commit");
            Objects.requireNonNull(message, "message");
        }

        public String render() {
            return "error: state " + CommitIds.shortId(commit) + " (generation " + generation + "): " + message;
        }
    }

    /** What the walk found over {@code commits} state commits, from {@code from} to {@code to}. */
    public record Report(String from, String to, int commits, List<Finding> findings) {
        public Report {
            findings = List.copyOf(findings);
        }

        public boolean clean() {
            return findings.isEmpty();
        }
    }

    private HistoryCheck() {
    }

    /**
     * @param since a state commit to start after ({@code ""}: from the root, checked against the anchor)
     */
    public static Report check(StateStore store, String branch, String since) {
        String tip = store.resolve(StateStore.STATE_REF);
        if (tip.isEmpty()) {
            return new Report("", "", 0, List.of());
        }
        List<String> chain = store.firstParents(StateStore.STATE_REF, tip, since);
        List<Finding> out = new ArrayList<>();
        DesiredBranch desired = new DesiredBranch(store, branch);
        Map<String, DesiredFacts> facts = new HashMap<>();
        RecordedState before;
        if (since.isEmpty()) {
            before = RecordedState.empty();
            StateRefs.anchor(store).ifPresent(anchor -> {
                if (!chain.isEmpty() && !chain.get(0).equals(anchor)) {
                    out.add(new Finding(chain.get(0), 0, "the history starts at " + CommitIds.shortId(
                            chain.get(0)) + ", not at the anchored root " + CommitIds.shortId(anchor)
                            + " (the state was restarted)"));
                }
            });
        } else {
            before = decode(store, since, out);
        }
        Transition.Ancestry ancestry = (a, d) -> store.isAncestor(desired.ref(), a, d);
        for (String commit : chain) {
            RecordedState after = decode(store, commit, out);
            if (after == null) {
                before = null;
                continue;
            }
            if (before != null) {
                DesiredFacts f = factsOf(after.reconciled().desiredCommit(), desired, facts, commit, after, out);
                for (String v : Transition.violations(before, after, f, ancestry)) {
                    out.add(new Finding(commit, after.generation(), v));
                }
            }
            before = after;
        }
        return new Report(chain.isEmpty() ? "" : chain.get(0), tip, chain.size(), out);
    }

    private static RecordedState decode(StateStore store, String commit, List<Finding> out) {
        try {
            StateFiles.Decoded d = StateFiles.decode(store.read(StateStore.STATE_REF, commit));
            if (!d.problems().isEmpty()) {
                out.add(new Finding(commit, d.state().generation(), "damaged: " + String.join("; ", d.problems())));
                return null;
            }
            return d.state();
        } catch (StateStoreException e) {
            out.add(new Finding(commit, 0, "unreadable: " + e.getMessage()));
            return null;
        }
    }

    /** The facts of the desired commit a state records; null (no desired commit) makes volume changes findings. */
    private static DesiredFacts factsOf(String desiredCommit, DesiredBranch desired, Map<String, DesiredFacts> cache,
            String stateCommit, RecordedState state, List<Finding> out) {
        if (desiredCommit.isEmpty()) {
            return null;
        }
        DesiredFacts f = cache.get(desiredCommit);
        if (f == null) {
            try {
                DesiredManifests m = DesiredManifests.load(DesiredFiles.of(desired.readAt(desiredCommit)));
                if (!m.valid()) {
                    out.add(new Finding(stateCommit, state.generation(), "records desired commit "
                            + CommitIds.shortId(desiredCommit) + ", whose manifests are invalid"));
                    return null;
                }
                f = DesiredFacts.of(desiredCommit, m.state());
            } catch (StateStoreException e) {
                out.add(new Finding(stateCommit, state.generation(), "records desired commit "
                        + CommitIds.shortId(desiredCommit) + ", which cannot be read: " + e.getMessage()));
                return null;
            }
            cache.put(desiredCommit, f);
        }
        return f;
    }
}
