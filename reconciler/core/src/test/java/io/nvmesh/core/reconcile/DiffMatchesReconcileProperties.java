package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.Plan;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** What {@code diff} previews is exactly what {@code reconcile} records, when nothing moves in between. */
class DiffMatchesReconcileProperties {

    /** A fleet, a first desired set that gets reconciled, and a second one that is previewed and then reconciled. */
    record Scenario(int targets, int racks, int drives, int capacityGiB, List<Integer> first, List<Integer> second) {
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<List<Integer>> sizes = Arbitraries.integers().between(0, 120).list().ofMinSize(0).ofMaxSize(12);
        return Combinators.combine(Arbitraries.integers().between(3, 8), Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(1, 4), Arbitraries.integers().between(64, 512), sizes, sizes)
                .as(Scenario::new);
    }

    @Property(tries = 12)
    void diffPreviewEqualsWhatReconcileRecords(@ForAll("scenarios") Scenario s) throws IOException {
        Path dir = Files.createTempDirectory("nvmesh-prop");
        try (StateStore store = StateStore.openOrCreate(dir.resolve("desired.git"))) {
            Fleet.importInventory(store, Fleet.inventory(s.targets(), s.racks(), s.drives(), s.capacityGiB() + "GiB"));
            Fleet.commitDesired(store, Fleet.files("p.yaml", Fleet.POLICIES, "v.yaml", volumes(s.first())));
            new Reconciler(store, "main").reconcileOnce();
            Fleet.commitDesired(store, Fleet.files("v.yaml", volumes(s.second())));
            RecordedState before = StateFiles.decodeStrict(store.read(StateStore.STATE_REF));

            DiffReport preview = DesiredDiff.ofRef(store, "main", "main");
            ReconcileReport done = new Reconciler(store, "main").reconcileOnce();

            assertThat(done.actions()).isEqualTo(preview.actions());
            RecordedState after = StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
            assertThat(after.allocations()).isEqualTo(before.allocations().apply(new Plan(preview.actions(),
                    preview.before(), preview.after())));
            // Afterwards only what could not be placed is left (its reason may differ: the state around it changed).
            assertThat(DesiredDiff.ofRef(store, "main", "main").actions()).extracting(a -> a.kind() + " " + a.volume())
                    .isEqualTo(preview.unplaceable().stream().map(a -> a.kind() + " " + a.volume()).toList());
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Volume {@code v-i} of {@code sizes[i]} GiB; 0 means "not desired" (so the second set also deletes). */
    private static String volumes(List<Integer> sizes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sizes.size(); i++) {
            if (sizes.get(i) == 0) {
                continue;
            }
            sb.append(sb.length() == 0 ? "" : "---\n").append(Fleet.volume("v-" + i, i % 2 == 0 ? "mirror" : "stripe",
                    sizes.get(i) + "GiB", false));
        }
        return sb.length() == 0 ? "# no volumes\n" : sb.toString();
    }
}
