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
