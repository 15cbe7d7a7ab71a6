package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.Decision;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.UpdateResult;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two writers make the very first state commit at once (a reconcile pass and an agent's inventory batch on a new
 * cluster): the one that loses reads "no state" and then sees the anchor the winner has just written. That is a lost
 * race, not a lost state: it must retry on the new tip, not stop every writer until a person restores a state that is
 * there. (A DashboardBrowserTest run stopped its cluster this way.)
 */
class FirstStateRaceTest {

    @TempDir
    Path dir;

    @Test
    void aWriterThatReadNoStateBeforeAnotherMadeTheFirstOneRetriesOnItInsteadOfStopping() {
        try (StateStore real = StateStore.openOrCreate(dir.resolve("state.git"))) {
            new DesiredBranch(real, "main").apply("", Changes.put("README.md", "desired\n".getBytes()), "seed",
                    Fleet.TEST);
            StateWriter first = new StateWriter(real, "main", Fleet.TEST);
            boolean[] raced = {false};
            StateStore racing = new Racing(real, () -> {
                raced[0] = true;
                // The first state and one more commit on it: the ref's reflog now names an earlier tip.
                first.write(s -> StateWriter.Proposal.write(s.withInventory(targets(1)),
                        "the first state, made meanwhile", null));
                first.write(s -> StateWriter.Proposal.write(s.withInventory(targets(2)),
                        "and a second commit on it", null));
            });
            StateWriter second = new StateWriter(racing, "main", Fleet.TEST);

            StateWriter.Result r = second.write(s -> StateWriter.Proposal.write(s.withInventory(targets(3)),
                    "the second writer", null));

            assertThat(raced[0]).isTrue();
            assertThat(r.kind()).as("%s", r).isEqualTo(StateWriter.Result.Kind.RECORDED);
            assertThat(second.unavailable()).as("the second writer still writes").isEmpty();
            assertThat(r.state().generation()).isEqualTo(3);
            assertThat(real.firstParents(StateStore.STATE_REF, real.resolve(StateStore.STATE_REF), "")).hasSize(3);
            assertThat(HistoryCheck.check(real, "main", "").clean()).isTrue();
        }
    }

    @Test
    void aRefThatIsBeingWrittenIsWaitedForNotDeclaredLost() throws Exception {
        Path repo = dir.resolve("state.git");
        try (StateStore real = StateStore.openOrCreate(repo)) {
            new DesiredBranch(real, "main").apply("", Changes.put("README.md", "desired\n".getBytes()), "seed",
                    Fleet.TEST);
            new StateWriter(real, "main", Fleet.TEST).write(s -> StateWriter.Proposal.write(
                    s.withInventory(targets(1)), "the first state", null));
            String tip = real.resolve(StateStore.STATE_REF);
            // JGit appends the reflog entry before it renames the ref's lock into place: for an instant there is a
            // history and no ref. Here that instant lasts 100 ms.
            Path loose = repo.resolve(StateStore.STATE_REF);
            java.nio.file.Files.delete(loose);
            java.util.concurrent.CompletableFuture<Void> writing = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    java.nio.file.Files.writeString(loose, tip + "\n");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, java.util.concurrent.CompletableFuture.delayedExecutor(100, java.util.concurrent.TimeUnit.MILLISECONDS));
            StateWriter other = new StateWriter(real, "main", Fleet.TEST);

            StateWriter.Result r = other.write(s -> StateWriter.Proposal.write(s.withInventory(targets(2)),
                    "a second writer", null));
            writing.join();

            assertThat(other.unavailable()).isEmpty();
            assertThat(r.kind()).as("%s", r).isEqualTo(StateWriter.Result.Kind.RECORDED);
            assertThat(r.state().generation()).isEqualTo(2);
            assertThat(HistoryCheck.check(real, "main", "").clean()).isTrue();
        }
    }

    /** An inventory of {@code n} targets without drives. */
    private static Inventory targets(int n) {
        List<io.nvmesh.core.allocation.Target> ts = new java.util.ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ts.add(new io.nvmesh.core.allocation.Target("t" + i, java.util.Map.of(),
                    io.nvmesh.core.allocation.TargetHealth.HEALTHY, List.of()));
        }
        return new Inventory(ts, List.of());
    }

    /** Runs {@code meanwhile} inside the next update of the state ref: after its snapshot, before its decision. */
    private static final class Racing extends InterleavingStore {
        private Runnable meanwhile;

        Racing(StateStore delegate, Runnable meanwhile) {
            super(delegate);
            this.meanwhile = meanwhile;
        }

        @Override
        public UpdateResult update(String ref, Author author, Function<Snapshot, Decision> decide) {
            return delegate.update(ref, author, snapshot -> {
                Runnable m = meanwhile;
                if (m != null && StateStore.STATE_REF.equals(ref)) {
                    meanwhile = null;
                    m.run();
                }
                return decide.apply(snapshot);
            });
        }
    }
}
