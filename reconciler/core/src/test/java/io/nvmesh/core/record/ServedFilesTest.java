package io.nvmesh.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.TestRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Served layouts and the managed mark on the state ref: byte format, old files, and what a rewrite keeps. */
class ServedFilesTest {

    @TempDir
    Path dir;

    private static final Target MANAGED = new Target("t1", Map.of("rack", "r1"), TargetHealth.HEALTHY,
            List.of(Drive.of("S1", 1L << 40)), true);
    private static final ServedLayout SERVED = new ServedLayout("t1", "r2", 7, "abc123",
            List.of(new ServedExtent("db-01", 0, "S1", 0, 1L << 30)));

    @Test
    void servedLayoutsAndTheManagedMarkSurviveARoundTripThroughGit() {
        try (StateStore store = StateStore.openOrCreate(dir.resolve("s.git"))) {
            SortedMap<String, ServedLayout> served = new TreeMap<>(Map.of("t1", SERVED));
            RecordedState state = RecordedState.empty().withInventory(new Inventory(List.of(MANAGED), List.of()))
                    .withServed(served);
            TestRepo.of(store).record(state);
            Snapshot tip = store.read(StateStore.STATE_REF);
            assertThat(tip.paths()).contains("served/t1.json", "inventory/targets/t1.json");
            RecordedState read = StateFiles.decodeStrict(tip);
            assertThat(read.inventory().targets()).containsExactly(MANAGED);
            assertThat(read.served()).containsExactly(Map.entry("t1", SERVED));
            assertThat(StateFiles.decodeServed(tip.file("served/t1.json").orElseThrow())).isEqualTo(SERVED);
            assertThat(StateFiles.changes(tip, read).isEmpty()).as("decode then encode writes nothing").isTrue();
            // A writer that does not touch served layouts (inventory, reconcile) keeps them.
            TestRepo.of(store).record(read.withVolumes(new TreeMap<>()));
            assertThat(StateFiles.decodeStrict(store.read(StateStore.STATE_REF)).served()).containsKey("t1");
        }
    }

    @Test
    void aTargetFileWithoutTheMarkIsUnmanagedAndWrittenWithoutIt() {
        String old = """
                {"id":"t9","labels":{},"health":"healthy","drives":[
                  {"serial":"S9","capacity":1099511627776,"health":"ok","labels":{}}]}
                """;
        try (StateStore store = StateStore.openOrCreate(dir.resolve("o.git"))) {
            store.commit(StateStore.STATE_REF, "", Changes.put("inventory/targets/t9.json",
                    old.getBytes(StandardCharsets.UTF_8)), "old", store.defaultAuthor());
            RecordedState read = StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
            assertThat(read.inventory().targets()).singleElement().satisfies(t -> assertThat(t.managed()).isFalse());
            assertThat(read.served()).isEmpty();
            String written = new String(StateFiles.encode(read).get("inventory/targets/t9.json"),
                    StandardCharsets.UTF_8);
            assertThat(written).doesNotContain("managed");
            assertThat(new String(StateFiles.encode(read.withInventory(new Inventory(List.of(MANAGED), List.of())))
                    .get("inventory/targets/t1.json"), StandardCharsets.UTF_8)).contains("\"managed\" : true");
        }
    }

    @Test
    void aDamagedServedFileIsAProblemNamedByItsTarget() {
        try (StateStore store = StateStore.openOrCreate(dir.resolve("d.git"))) {
            store.commit(StateStore.STATE_REF, "", Changes.put("served/t1.json",
                    "{\"target\":\"t2\",\"extents\":[]}".getBytes(StandardCharsets.UTF_8)), "bad", store.defaultAuthor());
            StateFiles.Decoded d = StateFiles.decode(store.read(StateStore.STATE_REF));
            assertThat(d.problems()).singleElement().asString().contains("served/t1.json")
                    .contains("holds the served layout of t2");
            assertThat(StateFiles.objectOf("served/t1.json")).isEqualTo("served layout of target t1");
        }
    }

}
