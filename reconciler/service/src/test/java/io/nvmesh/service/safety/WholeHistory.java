package io.nvmesh.service.safety;

import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.reconcile.Fsck;
import io.nvmesh.core.reconcile.FsckReport;
import io.nvmesh.core.reconcile.HistoryCheck;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.StateStoreException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The check every case ends with, over the whole recorded history rather than the final state:
 *
 * <ul>
 * <li>{@link HistoryCheck} (every state commit against its parent: no overlapping extents, space freed only when
 * released, no invented data, deletions only of volumes the recorded desired commit lacks, desired commit never
 * backwards, generations +1, history from the anchor);
 * <li>{@link Fsck} on the tip;
 * <li>every move of the state ref in the repository's reflog is to a descendant of where it was, except the restores
 * a person made: a lost update (a writer that published over a tip it had not built on) leaves no trace in the
 * history itself, only here;
 * <li>no volume in {@code kept} (volumes never removed from desired) is ever dropped or marked deleting once recorded,
 * and once placed its extents never change (the cases move no drive: a volume placed twice would show here);
 * <li>the tip places every volume the newest desired commit holds, and records no other.
 * </ul>
 */
final class WholeHistory {

    /**
     * What the walk found over {@code stateCommits} commits and {@code refMoves} reflog entries: rules broken, and
     * {@code remarks}, things worth knowing that break none.
     */
    record Verdict(int stateCommits, int refMoves, List<String> violations, List<String> remarks) {
        Verdict {
            violations = List.copyOf(violations);
            remarks = List.copyOf(remarks);
        }

        Verdict withViolations(List<String> more) {
            List<String> all = new java.util.ArrayList<>(violations);
            all.addAll(more);
            return new Verdict(stateCommits, refMoves, all, remarks);
        }

        boolean clean() {
            return violations.isEmpty();
        }
    }

    private WholeHistory() {
    }

    /**
     * @param gitDir     the repository the writers published to (its reflog is read)
     * @param kept       volumes never removed from desired
     * @param restoredTo commits a person restored the state ref to (their moves are exempt from the reflog rule)
     */
    static Verdict check(StateStore store, Path gitDir, Set<String> kept, Set<String> restoredTo) {
        List<String> out = new ArrayList<>();
        HistoryCheck.Report h = HistoryCheck.check(store, "main", "");
        h.findings().forEach(f -> out.add("history: " + f.render()));
        FsckReport fsck = Fsck.check(store, "main");
        fsck.errors().forEach(f -> out.add("fsck: " + f.render()));
        List<String> remarks = new ArrayList<>();
        int moves = refMoves(store, gitDir, restoredTo, out, remarks);
        keptVolumes(store, kept, out);
        tipPlacesDesired(store, out);
        return new Verdict(h.commits(), moves, out, remarks);
    }

    private static int refMoves(StateStore store, Path gitDir, Set<String> restoredTo, List<String> out,
            List<String> remarks) {
        Path log = gitDir.resolve("logs").resolve(StateStore.STATE_REF);
        List<String> lines;
        try {
            lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String zero = "0".repeat(40);
        String tip = store.resolve(StateStore.STATE_REF);
        Set<String> chain = tip.isEmpty() ? Set.of() : Set.copyOf(store.firstParents(StateStore.STATE_REF, tip, ""));
        Map<String, Integer> logged = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split(" ", 3);
            String old = f[0];
            String now = f[1];
            if (old.equals(now)) {
                remarks.add("reflog entry " + (i + 1) + " logs a move of the ref to where it was (" + now.substring(0, 8)
                        + "): " + (f.length > 2 ? f[2].substring(f[2].indexOf('\t') + 1) : ""));
            }
            Integer first = logged.putIfAbsent(old + " " + now, i + 1);
            if (first != null) {
                remarks.add("reflog entry " + (i + 1) + " logs the move of entry " + first + " again ("
                        + old.substring(0, 8) + " to " + now.substring(0, 8) + ")");
            }
            if (!chain.contains(now) && !restoredTo.contains(now) && !now.equals(zero)) {
                // JGit appends the reflog entry before it renames the ref's lock into place: a writer killed in
                // between leaves an entry for a move that never happened (and the lock, for StaleLocks to take back).
                remarks.add("reflog entry " + (i + 1) + " names " + now.substring(0, 8) + ", which is not in the "
                        + "history: it never became the tip, or was rewound");
            }
            if (restoredTo.contains(now) || now.equals(zero)) {
                continue; // a person's act (or a deletion the case made itself)
            }
            if (i > 0 && !lines.get(i - 1).split(" ", 3)[1].equals(old) && !old.equals(zero)
                    && !restoredTo.contains(now)) {
                // Each move starts where the one before ended, unless the ref moved without a reflog entry.
                remarks.add("reflog entry " + (i + 1) + " moves from " + old.substring(0, 8) + ", not from where entry "
                        + i + " left the ref");
            }
            if (old.equals(zero)) {
                if (i > 0) {
                    out.add("reflog: refs/nvmesh/state was created again at " + now + " (entry " + (i + 1)
                            + "), not restored by a person: a new root");
                }
                continue;
            }
            if (!store.isAncestor(StateStore.STATE_REF, old, now)) {
                out.add("reflog: refs/nvmesh/state moved from " + old + " to " + now + " (entry " + (i + 1)
                        + "), which does not descend from it: the update lost " + old);
            }
        }
        return lines.size();
    }

    private static void keptVolumes(StateStore store, Set<String> kept, List<String> out) {
        String tip = store.resolve(StateStore.STATE_REF);
        if (tip.isEmpty()) {
            out.add("state: refs/nvmesh/state is missing at the end");
            return;
        }
        Map<String, List<Extent>> placed = new HashMap<>();
        RecordedState before = RecordedState.empty();
        for (String commit : store.firstParents(StateStore.STATE_REF, tip, "")) {
            RecordedState after;
            try {
                StateFiles.Decoded d = StateFiles.decode(store.read(StateStore.STATE_REF, commit));
                if (!d.problems().isEmpty()) {
                    continue; // HistoryCheck names it
                }
                after = d.state();
            } catch (StateStoreException e) {
                continue; // HistoryCheck names it
            }
            for (String name : kept) {
                VolumeRecord was = before.volumes().get(name);
                VolumeRecord now = after.volumes().get(name);
                if (was != null && now == null) {
                    out.add("state " + commit + ": volume " + name + " dropped, yet no desired commit removed it");
                } else if (now != null && now.status() == VolumeStatus.DELETING
                        && (was == null || was.status() != VolumeStatus.DELETING)) {
                    out.add("state " + commit + ": volume " + name + " marked deleting, yet no desired commit "
                            + "removed it");
                }
                Optional<List<Extent>> extents = now == null ? Optional.empty()
                        : now.allocation().map(a -> a.extents());
                if (extents.isPresent()) {
                    List<Extent> first = placed.putIfAbsent(name, extents.get());
                    if (first != null && !first.equals(extents.get())) {
                        out.add("state " + commit + ": volume " + name + " placed again: " + extents.get()
                                + ", first " + first);
                        placed.put(name, extents.get());
                    }
                }
            }
            before = after;
        }
    }

    private static void tipPlacesDesired(StateStore store, List<String> out) {
        RecordedState tip;
        try {
            tip = StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
        } catch (RuntimeException e) {
            out.add("state: the tip cannot be read: " + e.getMessage());
            return;
        }
        SortedSet<String> desired = Desired.volumesAtTip(store);
        for (String name : desired) {
            VolumeRecord v = tip.volumes().get(name);
            if (v == null || v.allocation().isEmpty()) {
                out.add("state: desired volume " + name + " is not placed at the tip"
                        + (v == null ? "" : " (" + v.status().wireName() + ": " + v.reason() + ")"));
            }
        }
        SortedSet<String> extra = new TreeSet<>(tip.volumes().keySet());
        extra.removeAll(desired);
        extra.removeIf(n -> tip.volumes().get(n).status() == VolumeStatus.DELETING);
        if (!extra.isEmpty()) {
            out.add("state: the tip records volumes no longer desired: " + extra);
        }
    }
}
