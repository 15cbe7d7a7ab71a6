package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on a bare repository on disk, plus what only the local backend does. */
class LocalStateStoreTest extends StateStoreContract {

    @TempDir
    Path tmp;

    @Override
    StateStore newWriter(String name) {
        return StateStore.openOrCreate(tmp.resolve("state.git"), StoreOptions.forWriter(name));
    }

    @Test
    void createsTheBareRepositoryOnFirstUse() {
        Path dir = tmp.resolve("fresh/state.git");

        try (StateStore s = StateStore.openOrCreate(dir)) {
            assertThat(s.read(REF).exists()).isFalse();
        }

        assertThat(dir.resolve("HEAD")).exists();
        assertThat(dir.resolve("objects")).isDirectory();
        assertThat(dir.resolve("config")).content().contains("bare = true");
    }

    @Test
    void aBulkCommitHashedOnEveryCoreNamesTheTreeGitWouldAndGitReadsIt() throws Exception {
        StateStore a = writer("a");
        a.commit(REF, "", Changes.put("volumes/seed", utf8("first")), "seed", ALICE); // a pack already there
        Changes.Builder batch = Changes.builder();
        org.eclipse.jgit.dircache.DirCache expected = org.eclipse.jgit.dircache.DirCache.newInCore();
        org.eclipse.jgit.dircache.DirCacheBuilder tree = expected.builder();
        ObjectInserter.Formatter ids = new ObjectInserter.Formatter();
        java.util.TreeMap<String, byte[]> files = new java.util.TreeMap<>();
        files.put("volumes/seed", "first".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (int i = 0; i < GitStore.PARALLEL_PUTS * 3 + 17; i++) {
            String path = String.format("volumes/vol-%05d", i);
            // some contents repeat, within a part and across parts, and one is the seed's
            byte[] bytes = (i % 50 == 0 ? "first" : "allocation " + (i % 7 == 0 ? 7 : i))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            batch.put(path, bytes);
            files.put(path, bytes);
        }
        files.forEach((path, bytes) -> {
            org.eclipse.jgit.dircache.DirCacheEntry e = new org.eclipse.jgit.dircache.DirCacheEntry(path);
            e.setFileMode(org.eclipse.jgit.lib.FileMode.REGULAR_FILE);
            e.setObjectId(ids.idFor(org.eclipse.jgit.lib.Constants.OBJ_BLOB, bytes));
            tree.add(e);
        });
        tree.finish();
        String tip = a.read(REF).commitId();

        CommitResult r = a.commit(REF, tip, batch.build(), "bulk", ALICE);

        assertThat(r).isInstanceOf(CommitResult.Committed.class);
        Path git = tmp.resolve("state.git");
        try (org.eclipse.jgit.lib.Repository repo = new org.eclipse.jgit.storage.file.FileRepositoryBuilder()
                .setGitDir(git.toFile()).build(); org.eclipse.jgit.revwalk.RevWalk rw =
                new org.eclipse.jgit.revwalk.RevWalk(repo)) {
            ObjectId head = repo.exactRef(REF.startsWith("refs/") ? REF : "refs/" + REF).getObjectId();
            try (ObjectInserter inMemory = new org.eclipse.jgit.internal.storage.dfs.InMemoryRepository(
                    new org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription("expected")).newObjectInserter()) {
                assertThat(rw.parseCommit(head).getTree().getId()).isEqualTo(expected.writeTree(inMemory));
            }
        }
        Snapshot s = writer("b").read(REF);
        files.forEach((path, bytes) -> assertThat(s.file(path).orElseThrow()).isEqualTo(bytes));
        if (io.nvmesh.core.testing.GitDaemon.gitAvailable()) {
            Process fsck = new ProcessBuilder("git", "--git-dir", git.toString(), "fsck", "--full", "--strict",
                    "--no-dangling").redirectErrorStream(true).start();
            String out = new String(fsck.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(fsck.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(fsck.exitValue()).as("git fsck --full:%n%s", out).isZero();
        }
    }

    @Test
    void readsASnapshotOfTenThousandFiles() {
        StateStore a = writer("a");
        Changes.Builder batch = Changes.builder();
        for (int i = 0; i < 10_000; i++) {
            batch.put(String.format("volumes/%02d/vol-%05d", i % 100, i), "allocation " + i);
        }
        a.commit(REF, "", batch.build(), "10k volumes", ALICE);

        Snapshot s = writer("b").read(REF);
        Map<String, byte[]> files = s.files();

        assertThat(files).hasSize(10_000);
        assertThat(s.text("volumes/42/vol-09942")).contains("allocation 9942");
        assertThat(s.paths("volumes/07")).hasSize(100);
    }

    @Test
    void readsFilesInBatchesInPathOrderKeepingNone() {
        StateStore a = writer("a");
        Changes.Builder batch = Changes.builder();
        for (int i = 0; i < 1_000; i++) {
            batch.put(String.format("volumes/vol-%04d", i), "allocation " + i);
        }
        batch.put("other", "not asked for");
        a.commit(REF, "", batch.build(), "1k volumes", ALICE);
        Snapshot s = writer("b").read(REF);
        byte[] first = s.file("volumes/vol-0000").orElseThrow(); // read before: taken from what the snapshot keeps

        java.util.List<Map<String, byte[]>> batches = new java.util.ArrayList<>();
        s.readEach(s.paths("volumes"), 300, batches::add);

        assertThat(batches).extracting(Map::size).containsExactly(300, 300, 300, 100);
        java.util.List<String> order = batches.stream().flatMap(m -> m.keySet().stream()).toList();
        assertThat(order).isEqualTo(java.util.List.copyOf(s.paths("volumes")));
        assertThat(batches.get(0).get("volumes/vol-0000")).isEqualTo(first);
        assertThat(new String(batches.get(3).get("volumes/vol-0999"), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("allocation 999");
        // a caller's copy: changing it changes nothing read later
        batches.get(3).get("volumes/vol-0999")[0] = 'X';
        assertThat(s.text("volumes/vol-0999")).contains("allocation 999");
        assertThatThrownBy(() -> s.readEach(new java.util.TreeSet<>(java.util.Set.of("nope")), 10, m -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no file nope");
    }

    @Test
    void aLargeReadOnEveryCoreReturnsEveryFileAndFailsAsAOnePartReadWould() throws Exception {
        StateStore a = writer("a");
        Changes.Builder batch = Changes.builder();
        int n = GitStore.PARALLEL_READS * 3 + 7; // several parts on any machine of 2 cores or more
        for (int i = 0; i < n; i++) {
            batch.put(String.format("volumes/vol-%05d", i), "allocation " + i + " " + "x".repeat(i % 97));
        }
        String tip = a.commit(REF, "", batch.build(), "bulk", ALICE) instanceof CommitResult.Committed c
                ? c.commitId() : "";
        Snapshot s = writer("b").read(REF);

        java.util.List<Map<String, byte[]>> batches = new java.util.ArrayList<>();
        s.readEach(s.paths("volumes"), n, batches::add); // one batch: past the blob cache, in parts
        Map<String, byte[]> all = writer("c").read(REF).files("volumes"); // through the cache, in parts

        assertThat(batches).hasSize(1);
        assertThat(batches.get(0).keySet()).containsExactlyElementsOf(s.paths("volumes"));
        for (int i = 0; i < n; i++) {
            String path = String.format("volumes/vol-%05d", i);
            String expected = "allocation " + i + " " + "x".repeat(i % 97);
            assertThat(new String(batches.get(0).get(path), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(expected);
            assertThat(new String(all.get(path), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(expected);
        }

        // One file rewritten as a loose object, then damaged: a large read names it as a read of it alone does.
        a.commit(REF, tip, Changes.put("volumes/vol-02000", utf8("rewritten")), "one", ALICE);
        Snapshot damaged = writer("d").read(REF);
        ObjectId id = new ObjectInserter.Formatter().idFor(org.eclipse.jgit.lib.Constants.OBJ_BLOB,
                "rewritten".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path loose = tmp.resolve("state.git/objects/" + id.name().substring(0, 2) + "/" + id.name().substring(2));
        loose.toFile().setWritable(true);
        Files.write(loose, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        String alone = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> writer("e").read(REF).file("volumes/vol-02000"), StateStoreException.class).getMessage();

        assertThat(alone).startsWith("cannot read volumes/vol-02000 (object " + id.name() + "): ");
        assertThatThrownBy(() -> damaged.readEach(damaged.paths("volumes"), n, m -> { }))
                .isExactlyInstanceOf(StateStoreException.class).hasMessage(alone);
    }

    @Test
    void tellsWhetherAFileHoldsGivenBytesWithoutReadingIt() {
        StateStore a = writer("a");
        a.commit(REF, "", Changes.builder().put("volumes/v1", "one\n").build(), "v1", ALICE);
        Snapshot s = writer("b").read(REF);

        assertThat(s.holds("volumes/v1", "one\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isTrue();
        assertThat(s.holds("volumes/v1", "one".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isFalse();
        assertThat(s.holds("volumes/v2", "one\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isFalse();
        assertThat(Snapshot.empty().holds("volumes/v1", new byte[0])).isFalse();
    }

    @Test
    void defaultAuthorComesFromGitConfig() throws Exception {
        Path dir = tmp.resolve("state.git");
        try (StateStore s = writer("a")) {
            s.read(REF);
        }
        Files.writeString(dir.resolve("config"),
                Files.readString(dir.resolve("config")) + "[user]\n\tname = Ada Admin\n\temail = ada@example.org\n");

        assertThat(writer("b").defaultAuthor()).isEqualTo(new Author("Ada Admin", "ada@example.org"));
    }

    @Test
    void refusesRefNamesAndIdsGitCannotUse() {
        StateStore a = writer("a");

        assertThatThrownBy(() -> a.read("refs/bad..name")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.commit(REF, "not-a-sha", Changes.put("x", utf8("1")), "x", ALICE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a 40-digit commit id");
    }
}
