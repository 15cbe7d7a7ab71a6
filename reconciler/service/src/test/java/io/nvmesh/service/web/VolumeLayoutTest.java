package io.nvmesh.service.web;

import static io.nvmesh.service.web.Fleets.GB;
import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.record.RecordedState;

import java.util.List;

import org.junit.jupiter.api.Test;

class VolumeLayoutTest {

    @Test
    void eachSegmentCarriesItsTargetRackAndDriveHealthAndEachTargetItsShare() {
        RecordedState s = Fleets.state(List.of(Fleets.target(1, 1), Fleets.target(2, 1, DriveHealth.FAILED),
                Fleets.target(3, 1)), Fleets.mirrored("a", 10, 1, 2), Fleets.mirrored("b", 30, 1, 3));
        VolumeLayout.View v = VolumeLayout.of(s, "a", "r2").orElseThrow();
        assertThat(v.domainScope()).isEqualTo("rack");
        assertThat(v.layout()).isEqualTo("raid1");
        assertThat(v.owner()).isEqualTo("r2");
        assertThat(v.groups()).hasSize(1);
        assertThat(v.groups().get(0).segments()).extracting(VolumeLayout.SegmentView::target,
                VolumeLayout.SegmentView::rack, VolumeLayout.SegmentView::domain, VolumeLayout.SegmentView::driveHealth)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("t-001", "rack-1", "rack-1", "ok"),
                        org.assertj.core.groups.Tuple.tuple("t-002", "rack-2", "rack-2", "failed"));
        assertThat(v.targets()).extracting(VolumeLayout.TargetShare::target, VolumeLayout.TargetShare::volumeBytes,
                VolumeLayout.TargetShare::targetBytes).containsExactly(
                org.assertj.core.groups.Tuple.tuple("t-001", 10 * GB, 40 * GB),
                org.assertj.core.groups.Tuple.tuple("t-002", 10 * GB, 10 * GB));
        assertThat(v.targets().get(0).share()).isEqualTo(0.25);
        assertThat(VolumeLayout.of(s, "nope", "r1")).isEmpty();
    }
}
