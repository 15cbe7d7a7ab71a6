package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.Allocations;
import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Role;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.StateChecker;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.allocation.Violation;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Protection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Volume statuses look for degraded volumes only among those with a segment on a drive that is missing, not online,
 * or on an unhealthy target: the checker over those alone must find exactly the degraded findings (volume, drive and
 * message, in order) that it finds over the whole state.
 */
class DegradedSuspectsProperties {

    @Property(tries = 300)
    void checkingTheSuspectsFindsEveryDegradedFindingOfTheWholeState(@ForAll long seed) {
        Random r = new Random(seed);
        List<Target> targets = new ArrayList<>();
        List<String> serials = new ArrayList<>();
        int targetCount = 1 + r.nextInt(6);
        for (int t = 0; t < targetCount; t++) {
            List<Drive> drives = new ArrayList<>();
            for (int d = 0; d < 1 + r.nextInt(4); d++) {
                String serial = "S" + t + "-" + d;
                DriveHealth h = r.nextInt(4) == 0 ? DriveHealth.values()[r.nextInt(DriveHealth.values().length)]
                        : DriveHealth.OK;
                drives.add(Drive.of(serial, 1L << 40).withHealth(h));
                serials.add(serial);
            }
            targets.add(new Target("t" + t, Map.of("rack", "r" + t % 2), r.nextInt(5) == 0 ? TargetHealth.UNHEALTHY
                    : TargetHealth.HEALTHY, drives));
        }
        serials.add("GONE-1"); // in no target: its segments are degraded
        Inventory inventory = new Inventory(targets, List.of());
        List<VolumeAllocation> volumes = new ArrayList<>();
        for (int v = 0; v < 1 + r.nextInt(30); v++) {
            List<Segment> segments = new ArrayList<>();
            int count = 1 + r.nextInt(4);
            for (int s = 0; s < count; s++) {
                String serial = serials.get(r.nextInt(r.nextInt(3) == 0 ? serials.size() : serials.size() - 1));
                segments.add(new Segment(s, s == 0 ? Role.DATA : Role.MIRROR, new Extent(serial, (long) v << 30,
                        1L << 20)));
            }
            volumes.add(new VolumeAllocation("vol-" + v, "p", Layout.CONCATENATED, Protection.FULL,
                    r.nextBoolean() ? "rack" : null, 1L << 20, List.of(new Chunk(0, List.of(new Group(0, segments))))));
        }
        Allocations all = new Allocations(volumes);

        List<Violation> whole = degraded(StateChecker.check(inventory, all));
        List<Violation> suspects = degraded(StateChecker.check(inventory, VolumeStatuses.suspects(inventory, all)));

        assertThat(suspects).isEqualTo(whole);
    }

    private static List<Violation> degraded(List<Violation> found) {
        return found.stream().filter(v -> v.kind() == Violation.Kind.DEGRADED).toList();
    }
}
