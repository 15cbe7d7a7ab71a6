package io.nvmesh.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.LiveCopies;
import io.nvmesh.core.allocation.Role;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.schema.Capacity;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Volume;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * The planner and status rules ({@link LiveCopies}, {@link Volume#acceptedDataLoss()}) and the state writer's history
 * rules ({@link Transition#survives}, {@link DesiredFacts#serials}) were written apart; they must judge alike, or a
 * writer refuses what the planner proposes (or lets through what it should not).
 */
class LiveCopiesAgreementProperties {

    @Property(tries = 500)
    void theyAgreeWhichGroupsSurvive(@ForAll boolean erasureCoded, @ForAll @IntRange(min = 1, max = 8) int data,
            @ForAll @IntRange(min = 0, max = 3) int redundant,
            @ForAll @Size(min = 11, max = 11) List<@IntRange(min = 0, max = 4) Integer> healths) {
        int size = erasureCoded ? data + Math.max(1, redundant) : 1 + redundant;
        List<Segment> segments = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        Map<String, Drive> drives = new HashMap<>();
        for (int i = 0; i < size; i++) {
            Role role = i < (erasureCoded ? data : 1) ? Role.DATA : erasureCoded ? Role.PARITY : Role.MIRROR;
            segments.add(new Segment(i, role, new Extent("S" + i, 0, Extent.ALIGNMENT)));
            int h = healths.get(i);
            if (h < DriveHealth.values().length) { // 4: the drive is not listed
                Drive d = Drive.of("S" + i, 1L << 30).withHealth(DriveHealth.values()[h]);
                drives.put(d.serial(), d);
                targets.add(Target.of("t" + i, Map.of(), List.of(d)));
            }
        }
        Group g = new Group(0, segments);

        boolean planner = LiveCopies.of(Inventory.of(targets)).state(g) == LiveCopies.State.SURVIVES;

        assertThat(planner).as("%s", g).isEqualTo(Transition.survives(g, drives));
    }

    @Property(tries = 500)
    void theyReadTheAcceptDataLossAnnotationAlike(@ForAll @StringLength(max = 40) String value) {
        Volume v = new Volume(new Metadata("v", Map.of(), Map.of(Volume.ACCEPT_DATA_LOSS, value)), "p",
                Capacity.MAX, List.of(), 0, false);

        assertThat(v.acceptedDataLoss()).containsExactlyElementsOf(DesiredFacts.serials(value));
        assertThat(DesiredFacts.ACCEPT_DATA_LOSS).isEqualTo(Volume.ACCEPT_DATA_LOSS);
    }
}
