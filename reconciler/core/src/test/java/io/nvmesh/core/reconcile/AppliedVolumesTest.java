package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.Policies;
import io.nvmesh.core.testing.TestRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code apply --wait} follows: the volumes a desired commit added, changed (or re-policied) and removed. */
class AppliedVolumesTest {

    @TempDir
    Path tmp;

    private static byte[] policy(String name, String layout, int mirrors) {
        return ("apiVersion: nvmesh.io/v1\nkind: VolumePolicy\nmetadata:\n  name: " + name + "\nspec:\n  layout: "
                + layout + "\n" + (mirrors > 0 ? "  mirrors: " + mirrors + "\n" : "")).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void addedChangedRepoliciedAndRemovedVolumesAreFollowedAndUntouchedOnesAreNot() {
        try (StateStore store = StateStore.openOrCreate(tmp.resolve("d.git"))) {
            TestRepo repo = TestRepo.of(store);
            String first = repo.desired().on("")
                    .put("p.yaml", policy("plain", "concatenated", 0)).put("m.yaml", policy("mirror", "raid1", 1))
                    .put("same.yaml", Policies.volume("same", "plain", "1GiB"))
                    .put("grow.yaml", Policies.volume("grow", "plain", "1GiB"))
                    .put("mirrored.yaml", Policies.volume("mirrored", "mirror", "1GiB"))
                    .put("old.yaml", Policies.volume("old", "plain", "1GiB")).commit();
            String second = repo.desired().on(first)
                    .put("grow.yaml", Policies.volume("grow", "plain", "2GiB"))
                    .put("m.yaml", policy("mirror", "raid1", 2))
                    .put("new.yaml", Policies.volume("new", "plain", "1GiB"))
                    .delete("old.yaml").commit();

            AppliedVolumes applied = AppliedVolumes.between(store, "main", first, second);

            assertThat(applied.commit()).isEqualTo(second);
            assertThat(applied.changed()).containsExactly("grow", "mirrored", "new");
            assertThat(applied.removed()).containsExactly("old");
            // A created branch, or no change at all: the whole desired state is what must converge.
            assertThat(AppliedVolumes.between(store, "main", "", first).changed())
                    .containsExactly("grow", "mirrored", "old", "same");
            assertThat(AppliedVolumes.between(store, "main", second, second).changed())
                    .containsExactly("grow", "mirrored", "new", "same");
        }
    }
}
