package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every backend of {@link StateStore} promises, run against each with real repositories. Subclasses say how to
 * open a writer on the shared repository.
 */
abstract class StateStoreContract {

    static final String REF = StateStore.STATE_REF;
    static final Author ALICE = new Author("alice", "alice@example.org");
    static final Author BOB = new Author("bob", "bob@example.org");

    private final java.util.List<StateStore> opened = new java.util.ArrayList<>();

    /** A new writer on the repository shared by this test. */
    abstract StateStore newWriter(String name);

    StateStore writer(String name) {
        StateStore s = newWriter(name);
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeWriters() {
        opened.forEach(StateStore::close);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsAMissingRefAsEmpty() {
        Snapshot s = writer("a").read(REF);
        assertThat(s.exists()).isFalse();
        assertThat(s.commitId()).isEmpty();
        assertThat(s.paths()).isEmpty();
    }

    @Test
    void firstCommitCreatesTheRefAndOthersSeeIt() {
        StateStore a = writer("a");
        CommitResult r = a.commit(REF, "", Changes.put("inventory/t1", utf8("drives: 4")), "inventory", ALICE);

        assertThat(r).isInstanceOf(CommitResult.Committed.class);
        Snapshot seen = writer("b").read(REF);
        assertThat(seen.commitId()).isEqualTo(((CommitResult.Committed) r).commitId());
        assertThat(seen.text("inventory/t1")).contains("drives: 4");
    }

    @Test
    void refusesToCreateARefThatAlreadyExists() {
        StateStore a = writer("a");
        var first = (CommitResult.Committed) a.commit(REF, null, Changes.put("x", utf8("1")), "x", ALICE);

        CommitResult again = writer("b").commit(REF, null, Changes.put("y", utf8("2")), "y", BOB);

        assertThat(again).isEqualTo(new CommitResult.LostRace("", first.commitId()));
    }

    @Test
    void buildsTheNewTreeFromTheOldOnePlusTheChanges() {
        StateStore a = writer("a");
        var base = (CommitResult.Committed) a.commit(REF, "", Changes.builder()
                .put("volumes/v1", "a").put("volumes/v2", "b").put("volumes/old/v3", "c").put("keep", "k")
                .build(), "seed", ALICE);

        var next = (CommitResult.Committed) a.commit(REF, base.commitId(), Changes.builder()
                .put("volumes/v1", "a2").delete("volumes/v2").deleteTree("volumes/old").put("volumes/v4", "d")
                .build(), "change", ALICE);

        Snapshot s = writer("b").read(REF);
        assertThat(s.commitId()).isEqualTo(next.commitId());
        assertThat(next.previousId()).isEqualTo(base.commitId());
        assertThat(s.paths()).containsExactly("keep", "volumes/v1", "volumes/v4");
        assertThat(s.text("volumes/v1")).contains("a2");
        assertThat(s.paths("volumes")).containsExactly("volumes/v1", "volumes/v4");
    }

    @Test
    void deleteTreeWithPutsReplacesADirectory() {
        StateStore a = writer("a");
        var base = (CommitResult.Committed) a.commit(REF, "", Changes.builder()
                .put("desired/a.yaml", "a").put("desired/b.yaml", "b").put("other", "o").build(), "seed", ALICE);

        a.commit(REF, base.commitId(), Changes.builder().deleteTree("desired").put("desired/b.yaml", "b2")
                .put("desired/c.yaml", "c").build(), "replace", ALICE);

        Map<String, byte[]> files = a.read(REF).files();
        assertThat(files.keySet()).containsExactly("desired/b.yaml", "desired/c.yaml", "other");
        assertThat(new String(files.get("desired/b.yaml"), StandardCharsets.UTF_8)).isEqualTo("b2");
    }

    @Test
    void aCommitThatChangesNothingLeavesTheRefAlone() {
        StateStore a = writer("a");
        var base = (CommitResult.Committed) a.commit(REF, "", Changes.put("x", utf8("1")), "x", ALICE);

        CommitResult same = a.commit(REF, base.commitId(), Changes.put("x", utf8("1")), "again", ALICE);

        assertThat(same).isEqualTo(new CommitResult.Committed(base.commitId(), base.commitId()));
        assertThat(((CommitResult.Committed) same).noOp()).isTrue();
        assertThat(a.read(REF).commitId()).isEqualTo(base.commitId());
    }

    @Test
    void theSecondWriterFromTheSameBaseLosesTheRaceAndLearnsTheWinner() {
        StateStore a = writer("a");
        StateStore b = writer("b");
        var base = (CommitResult.Committed) a.commit(REF, "", Changes.put("claims/0", utf8("seed")), "seed", ALICE);
        Snapshot seenByA = a.read(REF);
        Snapshot seenByB = b.read(REF);
        assertThat(seenByA.commitId()).isEqualTo(seenByB.commitId()).isEqualTo(base.commitId());

        CommitResult first = a.commit(REF, seenByA.commitId(), Changes.put("claims/1", utf8("a")), "a", ALICE);
        CommitResult second = b.commit(REF, seenByB.commitId(), Changes.put("claims/1", utf8("b")), "b", BOB);

        assertThat(first).isInstanceOf(CommitResult.Committed.class);
        String winner = ((CommitResult.Committed) first).commitId();
        assertThat(second).isEqualTo(new CommitResult.LostRace(base.commitId(), winner));
        assertThat(b.read(REF).text("claims/1")).contains("a");
    }

    @Test
    void updateRetriesALostRaceAgainstTheNewTipAndConverges() {
        StateStore a = writer("a");
        StateStore b = writer("b");
        a.commit(REF, "", Changes.put("claims/0", utf8("seed")), "seed", ALICE);
        AtomicInteger calls = new AtomicInteger();

        // While b is deciding on its first snapshot, a claims slot 1: b's commit must lose and b must decide again.
        UpdateResult r = b.update(REF, BOB, snapshot -> {
            if (calls.incrementAndGet() == 1) {
                assertThat(Claims.claimOne(a, ALICE, "a", 0)).isInstanceOf(UpdateResult.Updated.class);
            }
            int slot = snapshot.paths("claims").size();
            return Decision.commit(Changes.put("claims/" + slot, utf8("b")), "b claims " + slot);
        });

        assertThat(calls).hasValue(2);
        assertThat(r).isInstanceOf(UpdateResult.Updated.class);
        assertThat(r.retries()).isEqualTo(1);
        Snapshot end = b.read(REF);
        assertThat(end.paths("claims")).containsExactly("claims/0", "claims/1", "claims/2");
        assertThat(end.text("claims/1")).contains("a#0");
        assertThat(end.text("claims/2")).contains("b");
    }

    @Test
    void updateReportsAbortAndNoChangeWithoutCommitting() {
        StateStore a = writer("a");
        var base = (CommitResult.Committed) a.commit(REF, "", Changes.put("x", utf8("1")), "x", ALICE);

        UpdateResult aborted = a.update(REF, ALICE, s -> Decision.abort("no drive has 2TiB free"));
        UpdateResult unchanged = a.update(REF, ALICE, s -> Decision.noChange());
        UpdateResult sameTree = a.update(REF, ALICE, s -> Decision.commit(Changes.put("x", utf8("1")), "same"));

        assertThat(aborted).isEqualTo(new UpdateResult.Aborted("no drive has 2TiB free", base.commitId(), 0));
        assertThat(unchanged).isEqualTo(new UpdateResult.Unchanged(base.commitId(), 0));
        assertThat(sameTree).isEqualTo(new UpdateResult.Unchanged(base.commitId(), 0));
        assertThat(a.read(REF).commitId()).isEqualTo(base.commitId());
    }

    @Test
    void readsTheFilesOfABranchAtAnOlderCommit() {
        StateStore a = writer("a");
        DesiredBranch main = new DesiredBranch(a, "main");
        var v1 = (CommitResult.Committed) main.apply("", Changes.put("volumes/db.yaml", utf8("size: 1Gi")), "v1",
                ALICE);
        main.apply(v1.commitId(), Changes.put("volumes/db.yaml", utf8("size: 2Gi")), "v2", ALICE);

        Snapshot old = new DesiredBranch(writer("b"), "main").readAt(v1.commitId());

        assertThat(old.text("volumes/db.yaml")).contains("size: 1Gi");
        assertThat(main.read().text("volumes/db.yaml")).contains("size: 2Gi");
    }

    @Test
    void applyCommitsManifestsToTheDesiredBranchOnlyFromTheExpectedCommit() {
        StateStore a = writer("a");
        DesiredBranch main = new DesiredBranch(a, DesiredBranch.DEFAULT);
        var first = (CommitResult.Committed) main.apply("", Map.of("volumes/a.yaml", utf8("a")), "apply a");
        main.apply(first.commitId(), Map.of("volumes/b.yaml", utf8("b")), "apply b");

        CommitResult stale = main.apply(first.commitId(), Map.of("volumes/c.yaml", utf8("c")), "apply c");

        assertThat(main.ref()).isEqualTo("refs/heads/main");
        assertThat(stale).isInstanceOf(CommitResult.LostRace.class);
        assertThat(main.read().paths()).containsExactly("volumes/a.yaml", "volumes/b.yaml");
    }

    @Test
    void readingAnUnknownCommitIsAnError() {
        StateStore a = writer("a");
        a.commit(REF, "", Changes.put("x", utf8("1")), "x", ALICE);

        assertThatThrownBy(() -> a.read(REF, "0123456789012345678901234567890123456789"))
                .isInstanceOf(StateStoreException.class)
                .hasMessageContaining("no commit 0123456789012345678901234567890123456789");
    }
}
