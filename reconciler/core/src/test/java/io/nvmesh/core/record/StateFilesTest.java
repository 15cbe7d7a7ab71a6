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
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding a state larger than one read batch, and the changes a rewrite makes (compared without reading files). */
class StateFilesTest {

    @TempDir
    Path dir;

    private static RecordedState state(int volumes, String reasonOfLast) {
        Target t = new Target("t1", Map.of("rack", "r1"), TargetHealth.HEALTHY, List.of(Drive.of("S1", 1L << 40)),
                false);
        SortedMap<String, VolumeRecord> v = new TreeMap<>();
        for (int i = 0; i < volumes; i++) {
            String name = String.format("vol-%05d", i);
            v.put(name, new VolumeRecord(name, VolumeStatus.PENDING, i == volumes - 1 ? reasonOfLast : "no room",
                    true, "f" + i, Optional.empty()));
        }
        return RecordedState.empty().withInventory(new Inventory(List.of(t), List.of())).withVolumes(v);
    }

    @Test
    void decodesAStateOfMoreFilesThanOneBatchWhole() {
        int volumes = StateFiles.DECODE_BATCH * 2 + 17;
        try (StateStore store = StateStore.openOrCreate(dir.resolve("s.git"))) {
            RecordedState written = state(volumes, "no room");
            TestRepo.of(store).record(written);

            StateFiles.Decoded d = StateFiles.decode(store.read(StateStore.STATE_REF));

            assertThat(d.problems()).isEmpty();
            assertThat(d.state().volumes()).isEqualTo(written.volumes());
            assertThat(d.state().inventory()).isEqualTo(written.inventory());
        }
    }

    @Test
    void segmentsOfManyVolumesShareTheirDrivesSerialAndPolicyInstances() {
        Target t = new Target("t1", Map.of("rack", "r1"), TargetHealth.HEALTHY, List.of(Drive.of("S1", 1L << 40)),
                false);
        SortedMap<String, VolumeRecord> v = new TreeMap<>();
        for (int i = 0; i < 3; i++) {
            String name = "vol-" + i;
            var a = new io.nvmesh.core.allocation.VolumeAllocation(name, "p", io.nvmesh.schema.Layout.CONCATENATED,
                    io.nvmesh.schema.Protection.FULL, null, 1L << 30, List.of(new io.nvmesh.core.allocation.Chunk(0,
                    List.of(new io.nvmesh.core.allocation.Group(0, List.of(new io.nvmesh.core.allocation.Segment(0,
                    io.nvmesh.core.allocation.Role.DATA, new io.nvmesh.core.allocation.Extent("S1", i * (1L << 30),
                    1L << 30))))))));
            v.put(name, new VolumeRecord(name, VolumeStatus.ONLINE, "", true, "f", Optional.of(a)));
        }
        try (StateStore store = StateStore.openOrCreate(dir.resolve("i.git"))) {
            TestRepo.of(store).record(RecordedState.empty().withInventory(new Inventory(List.of(t), List.of()))
                    .withVolumes(v));

            RecordedState read = StateFiles.decodeStrict(store.read(StateStore.STATE_REF));

            String serial = read.inventory().targets().get(0).drives().get(0).serial();
            var allocations = read.volumes().values().stream().map(r -> r.allocation().orElseThrow()).toList();
            assertThat(allocations).hasSize(3).allSatisfy(a -> {
                assertThat(a.chunks().get(0).groups().get(0).segments().get(0).extent().serial()).isSameAs(serial);
                assertThat(a.policy()).isSameAs(allocations.get(0).policy());
            });
        }
    }

    @Test
    void aDamagedFileInALaterBatchIsAProblemAndTheRestDecodes() {
        int volumes = StateFiles.DECODE_BATCH + 10;
        try (StateStore store = StateStore.openOrCreate(dir.resolve("d.git"))) {
            TestRepo.of(store).record(state(volumes, "no room"));
            Snapshot tip = store.read(StateStore.STATE_REF);
            store.commit(StateStore.STATE_REF, tip.commitId(), Changes.put(StateFiles.volumePath("vol-02050"),
                    "{".getBytes(StandardCharsets.UTF_8)), "damage", store.defaultAuthor());

            StateFiles.Decoded d = StateFiles.decode(store.read(StateStore.STATE_REF));

            assertThat(d.problems()).singleElement().asString().startsWith("volumes/vol-02050.json: not valid JSON");
            assertThat(d.state().volumes()).hasSize(volumes - 1).doesNotContainKey("vol-02050");
        }
    }

    @Test
    void changesWriteOnlyFilesWhoseBytesDifferAndDeleteOnlyRecordedOnes() {
        try (StateStore store = StateStore.openOrCreate(dir.resolve("c.git"))) {
            TestRepo.of(store).record(state(50, "no room"));
            Snapshot tip = store.read(StateStore.STATE_REF);
            store.commit(StateStore.STATE_REF, tip.commitId(), Changes.put("notes/readme.txt",
                    "kept".getBytes(StandardCharsets.UTF_8)), "a file outside the layout", store.defaultAuthor());
            tip = store.read(StateStore.STATE_REF);
            RecordedState read = StateFiles.decodeStrict(tip);
            assertThat(StateFiles.changes(tip, read).isEmpty()).as("decode then encode writes nothing").isTrue();

            SortedMap<String, VolumeRecord> fewer = new TreeMap<>(state(49, "full").volumes());
            Changes c = StateFiles.changes(tip, read.withVolumes(fewer));

            assertThat(c.paths()).containsExactly(StateFiles.volumePath("vol-00048"),
                    StateFiles.volumePath("vol-00049"));
            store.commit(StateStore.STATE_REF, tip.commitId(), c, "rewrite", store.defaultAuthor());
            Snapshot after = store.read(StateStore.STATE_REF);
            assertThat(after.paths()).contains("notes/readme.txt").doesNotContain(StateFiles.volumePath("vol-00049"));
            assertThat(StateFiles.decodeStrict(after).volumes().get("vol-00048").reason()).isEqualTo("full");
        }
    }

    @Test
    void unchangedRecordsAreNotEncodedAgainAndTheChangesAreThoseOfAFullComparison() {
        try (StateStore store = StateStore.openOrCreate(dir.resolve("u.git"))) {
            TestRepo.of(store).record(state(600, "no room"));
            Snapshot tip = store.read(StateStore.STATE_REF);
            RecordedState read = StateFiles.decodeStrict(tip);
            SortedMap<String, VolumeRecord> next = new TreeMap<>(read.volumes());
            next.put("vol-00007", next.get("vol-00007").withReleasing(List.of()));
            next.put("vol-00008", new VolumeRecord("vol-00008", VolumeStatus.PENDING, "still no room", true, "f8",
                    Optional.empty()));
            next.remove("vol-00009");
            next.put("vol-99999", new VolumeRecord("vol-99999", VolumeStatus.PENDING, "new", false, "",
                    Optional.empty()));
            RecordedState after = read.withVolumes(next);

            Changes skipping = StateFiles.changes(tip, read, after);
            Changes full = StateFiles.changes(tip, after);

            assertThat(skipping.paths()).containsExactlyElementsOf(full.paths())
                    .containsExactlyInAnyOrder(StateFiles.volumePath("vol-00008"), StateFiles.volumePath("vol-00009"),
                            StateFiles.volumePath("vol-99999"));
            store.commit(StateStore.STATE_REF, tip.commitId(), skipping, "rewrite", store.defaultAuthor());
            Snapshot written = store.read(StateStore.STATE_REF);
            assertThat(StateFiles.changes(written, after).isEmpty())
                    .as("every file written is what encoding the whole state gives, and no other is there").isTrue();
            assertThat(StateFiles.decodeStrict(written).volumes()).isEqualTo(after.volumes());
        }
    }

    @Test
    void aFileWhoseRecordIsUnchangedIsKeptAsItIsEvenIfAnotherEncoderWroteIt() {
        try (StateStore store = StateStore.openOrCreate(dir.resolve("k.git"))) {
            TestRepo.of(store).record(state(300, "no room"));
            Snapshot tip = store.read(StateStore.STATE_REF);
            String path = StateFiles.volumePath("vol-00003");
            // The same record, written compactly (by hand, or an older encoder): it decodes equal.
            String compact = new String(tip.file(path).orElseThrow(), StandardCharsets.UTF_8).replace("\n", "")
                    .replace("  ", "");
            store.commit(StateStore.STATE_REF, tip.commitId(), Changes.put(path,
                    compact.getBytes(StandardCharsets.UTF_8)), "a compact file", store.defaultAuthor());
            tip = store.read(StateStore.STATE_REF);
            RecordedState read = StateFiles.decodeStrict(tip);
            assertThat(read.volumes().get("vol-00003")).isEqualTo(state(300, "no room").volumes().get("vol-00003"));

            RecordedState after = read.withVolumes(new TreeMap<>(state(300, "full").volumes()));

            assertThat(StateFiles.changes(tip, read, after).paths()).as("only the changed record is encoded")
                    .containsExactly(StateFiles.volumePath("vol-00299"));
            assertThat(StateFiles.changes(tip, after).paths()).as("a full comparison rewrites the compact file")
                    .containsExactlyInAnyOrder(path, StateFiles.volumePath("vol-00299"));
            RecordedState older = StateFiles.decodeStrict(store.read(StateStore.STATE_REF)).at("0".repeat(40), 1);
            assertThat(StateFiles.changes(tip, older, after).paths()).as("a record of another commit is not trusted")
                    .containsExactlyInAnyOrder(path, StateFiles.volumePath("vol-00299"));
        }
    }
}
