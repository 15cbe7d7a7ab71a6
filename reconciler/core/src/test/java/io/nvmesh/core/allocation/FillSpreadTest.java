package io.nvmesh.core.allocation;

import static io.nvmesh.core.allocation.Fleet.G;
import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Protection;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Least-filled-first placement keeps drives evenly filled, so no drive becomes a hot spot. */
class FillSpreadTest {

    static final List<VolumePolicy> MIXED = List.of(
            Fleet.policy("concat", Layout.CONCATENATED),
            Fleet.policy("r0", Layout.RAID0, 4, 0, 0, 0, Protection.FULL, null),
            Fleet.policy("r1", Layout.RAID1, 1, 1, 0, 0, Protection.FULL, "rack"),
            Fleet.policy("r10", Layout.RAID10, 2, 1, 0, 0, Protection.FULL, null),
            Fleet.policy("ec", Layout.ERASURE_CODING, 1, 0, 4, 2, Protection.FULL, null),
            Fleet.policy("sec", Layout.STRIPED_ERASURE_CODING, 2, 0, 4, 2, Protection.FULL, null));

    /** 12 targets in 4 racks, each with 6 drives of mixed sizes (1, 2 and 4 TiB). */
    static Inventory mixedFleet() {
        List<Target> ts = new ArrayList<>();
        long[] sizes = {1024, 2048, 4096};
        for (int t = 1; t <= 12; t++) {
            String id = String.format("t%02d", t);
            List<Drive> ds = new ArrayList<>();
            for (int d = 1; d <= 6; d++) {
                ds.add(Drive.of(id + "-d" + d, sizes[(t + d) % 3] * G));
            }
            ts.add(Target.of(id, Map.of("rack", "r" + (t % 4)), ds));
        }
        return Inventory.of(ts);
    }

    @Test
    void fillingAMixedClusterTo70PercentKeepsDriveFillWithin10Points() {
        Inventory inv = mixedFleet();
        Random random = new Random(42);
        Allocations state = Allocations.EMPTY;
        List<Volume> volumes = new ArrayList<>();
        int n = 0;
        while (fillOf(inv, state) < 0.70) {
            for (int i = 0; i < 10; i++) {
                VolumePolicy p = MIXED.get(random.nextInt(MIXED.size()));
                volumes.add(Fleet.volume(String.format("v%05d", n++), p.name(), 16 + random.nextInt(300)));
            }
            Plan plan = Planner.plan(inv, state, DesiredState.of(MIXED, volumes));
            assertThat(plan.unplaceable()).isEmpty();
            state = state.apply(plan);
        }
        List<Double> fill = new ArrayList<>(Fleet.fill(inv, state).values());
        double spread = Collections.max(fill) - Collections.min(fill);

        System.out.printf("fill %.1f%% after %d volumes: drive fill spread %.2f points%n",
                100 * fillOf(inv, state), n, 100 * spread);
        assertThat(spread).isLessThanOrEqualTo(0.10);
        assertThat(StateChecker.check(inv, state)).isEmpty();
    }

    static double fillOf(Inventory inv, Allocations a) {
        Usage u = CapacityLedger.recompute(inv, a, DesiredState.of(List.of(), List.of())).cluster();
        return (double) u.allocated() / u.total();
    }
}
