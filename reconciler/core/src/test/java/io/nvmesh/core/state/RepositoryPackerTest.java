package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StateStore#pack()} on real repositories: what it keeps, and when it declines. */
class RepositoryPackerTest {

    static final String REF = StateStore.STATE_REF;
    static final Author ALICE = new Author("alice", "alice@example.org");

    @TempDir
    Path tmp;

    /** {@code n} one-file commits on the state ref; their ids, oldest first. */
    static List<String> commits(StateStore store, int n) {
        List<String> ids = new ArrayList<>();
        String tip = store.resolve(REF);
        for (int i = 0; i < n; i++) {
            CommitResult r = store.commit(REF, tip, Changes.builder()
                    .put("volumes/v-" + (i % 7) + ".json", "{\"n\": " + i + "}")
                    .put("state.json", "{\"generation\": " + (i + 1) + "}").build(), "commit " + i, ALICE);
            tip = ((CommitResult.Committed) r).commitId();
            ids.add(tip);
        }
        return ids;
    }

    @Test
    void packsLooseObjectsAndKeepsEveryCommitItsReflogAndItsHistory() {
        try (StateStore store = StateStore.openOrCreate(tmp.resolve("state.git"))) {
            List<String> ids = commits(store, 120);
            List<String> tipsBefore = store.previousTips(REF);
            String tip = store.resolve(REF);

            PackReport r = store.pack();

            assertThat(r.outcome()).isEqualTo(PackReport.Outcome.PACKED);
            assertThat(r.before().looseObjects()).isGreaterThanOrEqualTo(120 * 4);
            assertThat(r.after().looseObjects()).isZero();
            assertThat(r.after().packs()).isPositive();
            assertThat(r.after().packedObjects()).isGreaterThanOrEqualTo(r.before().looseObjects());
            assertThat(store.resolve(REF)).isEqualTo(tip);
            assertThat(store.previousTips(REF)).isEqualTo(tipsBefore);
            assertThat(store.firstParents(REF, tip, "")).isEqualTo(ids);
            for (String id : ids) {
                assertThat(store.damagedObjects(REF, id)).as("commit %s", id).isEmpty();
            }
            assertThat(tmp.resolve("state.git/refs/nvmesh/state")).as("refs are not packed").isRegularFile();
        }
    }

    @Test
    void keepsUnreachableObjectsAWriterMayStillPublish() throws Exception {
        try (StateStore store = StateStore.openOrCreate(tmp.resolve("state.git"))) {
            commits(store, 3);
            ObjectId pending;
            // What a writer has written and not yet published: loose, and reachable from nothing.
            try (ObjectInserter ins = ((GitStore) store).repo.newObjectInserter()) {
                pending = ins.insert(Constants.OBJ_BLOB, "in flight".getBytes(StandardCharsets.UTF_8));
                ins.flush();
            }

            assertThat(store.pack().packed()).isTrue();

            assertThat(((GitStore) store).repo.getObjectDatabase().has(pending)).isTrue();
        }
    }

    /**
     * An unreachable object a month old (a lost race's commit, say) is never pruned: a writer that produces the same
     * bytes again finds it present and does not write it, so pruning it then would leave that writer's new state
     * pointing at a missing object. JGit does not refresh an existing object's time on a second insert.
     */
    @Test
    void neverPrunesAnUnreachableObjectHoweverOldBecauseAWriterMayReuseIt() throws Exception {
        try (StateStore store = StateStore.openOrCreate(tmp.resolve("state.git"))) {
            commits(store, 3);
            ObjectId old;
            try (ObjectInserter ins = ((GitStore) store).repo.newObjectInserter()) {
                old = ins.insert(Constants.OBJ_BLOB, "lost a race a month ago".getBytes(StandardCharsets.UTF_8));
                ins.flush();
            }
            Path loose = tmp.resolve("state.git/objects/" + old.name().substring(0, 2) + "/"
                    + old.name().substring(2));
            Files.setLastModifiedTime(loose, java.nio.file.attribute.FileTime.from(
                    java.time.Instant.now().minus(java.time.Duration.ofDays(30))));

            assertThat(store.pack().packed()).isTrue();

            assertThat(((GitStore) store).repo.getObjectDatabase().has(old)).isTrue();
        }
    }

    @Test
    void answersBusyWhileAnotherRunHoldsTheRepository() throws Exception {
        Path dir = tmp.resolve("state.git");
        try (StateStore store = StateStore.openOrCreate(dir)) {
            commits(store, 5);
            try (FileChannel other = FileChannel.open(dir.resolve(RepositoryPacker.LOCK_FILE),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock held = other.lock()) {
                PackReport r = store.pack();

                assertThat(r.outcome()).isEqualTo(PackReport.Outcome.BUSY);
                assertThat(r.after()).isEqualTo(r.before());
                assertThat(r.after().packs()).isZero();
            }
            assertThat(store.pack().packed()).as("free again once released").isTrue();
        }
    }

    @Test
    void refusesWhileTheStateRefIsLostAndPacksOnceItIsRestored() throws Exception {
        Path dir = tmp.resolve("state.git");
        try (StateStore store = StateStore.openOrCreate(dir)) {
            List<String> ids = commits(store, 10);
            Files.delete(dir.resolve("refs/nvmesh/state")); // lost: only its reflog still names the commits

            PackReport r = store.pack();

            assertThat(r.outcome()).isEqualTo(PackReport.Outcome.REFUSED);
            assertThat(r.reason()).contains("refs/nvmesh/state has a reflog but no readable ref").contains("nvmesh fsck");
            assertThat(r.after()).isEqualTo(r.before());
            assertThat(store.previousTips(REF)).first().isEqualTo(ids.get(ids.size() - 1));

            store.forceRef(REF, store.previousTips(REF).get(0));
            assertThat(store.pack().packed()).isTrue();
            assertThat(store.firstParents(REF, store.resolve(REF), "")).isEqualTo(ids);
        }
    }

    @Test
    void refusesARepositoryConfiguredToPruneAtOnce() throws Exception {
        Path dir = tmp.resolve("state.git");
        try (StateStore store = StateStore.openOrCreate(dir)) {
            commits(store, 2);
        }
        Files.writeString(dir.resolve("config"), "[gc]\n\tpruneExpire = now\n", StandardOpenOption.APPEND);
        try (StateStore store = StateStore.openOrCreate(dir)) {
            PackReport r = store.pack();

            assertThat(r.outcome()).isEqualTo(PackReport.Outcome.REFUSED);
            assertThat(r.reason()).contains("gc.pruneExpire");
        }
    }

    @Test
    void aRemoteStorePacksItsMirror() {
        Path origin = tmp.resolve("origin.git");
        StateStore.openOrCreate(origin).close();
        try (StateStore store = StateStore.remote(origin.toUri().toString(), tmp.resolve("cache"),
                StoreOptions.forWriter("w"))) {
            List<String> ids = commits(store, 20);

            PackReport r = store.pack();

            assertThat(r.packed()).isTrue();
            assertThat(r.after().looseObjects()).isZero();
            assertThat(store.firstParents(REF, store.resolve(REF), "")).isEqualTo(ids);
        }
    }
}
