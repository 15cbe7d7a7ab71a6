package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

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
