package io.nvmesh.core.allocation;

import static io.nvmesh.core.allocation.Fleet.G;
import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Protection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LiveCopiesTest {

    /** One group on drives S-0, S-1 ... (one per target), with these roles and the drives in these healths. */
    private static Group group(List<Role> roles) {
        List<Segment> ss = new ArrayList<>();
        for (int i = 0; i < roles.size(); i++) {
            ss.add(new Segment(i, roles.get(i), new Extent("S-" + i, 0, G)));
        }
        return new Group(0, ss);
    }

    /** Targets t0 ... each with drive S-i of the given health; {@code null} leaves the drive out of the inventory. */
    private static Inventory inventory(DriveHealth... healths) {
        List<Target> ts = new ArrayList<>();
        for (int i = 0; i < healths.length; i++) {
            List<Drive> ds = healths[i] == null ? List.of()
                    : List.of(Drive.of("S-" + i, 10 * G).withHealth(healths[i]));
            ts.add(Target.of("t" + i, Map.of(), ds));
        }
        return Inventory.of(ts);
    }

    private static VolumeAllocation volume(Layout layout, Group g) {
        return new VolumeAllocation("v", "p", layout, Protection.FULL, null, G, List.of(new Chunk(0, List.of(g))));
    }

    private static final DriveHealth OK = DriveHealth.OK;
    private static final DriveHealth FAILED = DriveHealth.FAILED;
    private static final DriveHealth MISSING = DriveHealth.MISSING;

    @Test
    void aLoneSegmentOnAFailedDriveIsLostAndOnAMissingOneUnavailable() {
        Group lone = group(List.of(Role.DATA));

        assertThat(LiveCopies.of(inventory(OK)).state(lone)).isEqualTo(LiveCopies.State.SURVIVES);
        assertThat(LiveCopies.of(inventory(DriveHealth.CORDONED)).state(lone)).isEqualTo(LiveCopies.State.SURVIVES);
        assertThat(LiveCopies.of(inventory(FAILED)).state(lone)).isEqualTo(LiveCopies.State.LOST);
        assertThat(LiveCopies.of(inventory(MISSING)).state(lone)).isEqualTo(LiveCopies.State.UNAVAILABLE);
        assertThat(LiveCopies.of(inventory((DriveHealth) null)).state(lone)).isEqualTo(LiveCopies.State.UNAVAILABLE);
    }

    @Test
    void aMirrorSurvivesOnOneLiveCopyAndWaitsWhileAnyCopyIsOnlyMissing() {
        Group mirror = group(List.of(Role.DATA, Role.MIRROR, Role.MIRROR));

        assertThat(LiveCopies.of(inventory(FAILED, FAILED, OK)).state(mirror)).isEqualTo(LiveCopies.State.SURVIVES);
        assertThat(LiveCopies.of(inventory(FAILED, MISSING, FAILED)).state(mirror))
                .isEqualTo(LiveCopies.State.UNAVAILABLE);
        assertThat(LiveCopies.of(inventory(FAILED, FAILED, FAILED)).state(mirror)).isEqualTo(LiveCopies.State.LOST);
    }

    @Test
    void anErasureCodedGroupNeedsKLiveSegments() {
        Group ec = group(List.of(Role.DATA, Role.DATA, Role.DATA, Role.DATA, Role.PARITY, Role.PARITY));

        assertThat(LiveCopies.needed(ec)).isEqualTo(4);
        assertThat(LiveCopies.of(inventory(FAILED, OK, OK, OK, FAILED, OK)).state(ec))
                .isEqualTo(LiveCopies.State.SURVIVES);
        assertThat(LiveCopies.of(inventory(FAILED, OK, OK, MISSING, FAILED, OK)).state(ec))
                .isEqualTo(LiveCopies.State.UNAVAILABLE);
        // A missing drive coming back would still leave 4 of the 6 unreadable: gone either way.
        assertThat(LiveCopies.of(inventory(FAILED, FAILED, OK, MISSING, FAILED, OK)).state(ec))
                .isEqualTo(LiveCopies.State.LOST);
    }

    @Test
    void aSegmentIsRebuildableOnlyFromLiveSegmentsThatAreNotBeingReplacedThemselves() {
        Group mirror = group(List.of(Role.DATA, Role.MIRROR));
        LiveCopies oneLeft = LiveCopies.of(inventory(FAILED, OK));

        assertThat(oneLeft.rebuildable(mirror, 0, Set.of(0))).isTrue();
        assertThat(oneLeft.rebuildable(mirror, 0, Set.of(0, 1))).isFalse();
        assertThat(LiveCopies.of(inventory(FAILED, FAILED)).rebuildable(mirror, 0, Set.of(0))).isFalse();

        Group ec = group(List.of(Role.DATA, Role.DATA, Role.PARITY));
        LiveCopies ecOneFailed = LiveCopies.of(inventory(OK, FAILED, OK));
        assertThat(ecOneFailed.rebuildable(ec, 1, Set.of(1))).isTrue();
        assertThat(LiveCopies.of(inventory(FAILED, FAILED, OK)).rebuildable(ec, 1, Set.of(0, 1))).isFalse();
    }

    @Test
    void namesTheLostGroupTheFailedDrivesAndTheAnnotationThatAcceptsTheLoss() {
        Group mirror = group(List.of(Role.DATA, Role.MIRROR));
        LiveCopies copies = LiveCopies.of(inventory(FAILED, FAILED));

        List<LiveCopies.LostGroup> lost = copies.lost(volume(Layout.RAID1, mirror));

        assertThat(lost).containsExactly(new LiveCopies.LostGroup(0, 0, 0, 1, List.of("S-0", "S-1")));
        assertThat(LiveCopies.reason("cc", lost)).isEqualTo("data lost: chunk 0 group 0 has no surviving copy (drives"
                + " S-0, S-1 failed); recreate it empty by adding the annotation nvmesh.io/accept-data-loss: S-0,S-1"
                + " to volume cc");
        assertThat(copies.unavailable(volume(Layout.RAID1, mirror))).isEmpty();
    }

    @Test
    void namesTheMissingDrivesAnUnavailableGroupWaitsFor() {
        Group mirror = group(List.of(Role.DATA, Role.MIRROR));
        LiveCopies copies = LiveCopies.of(inventory(FAILED, MISSING));

        List<LiveCopies.UnavailableGroup> waiting = copies.unavailable(volume(Layout.RAID1, mirror));

        assertThat(copies.lost(volume(Layout.RAID1, mirror))).isEmpty();
        assertThat(LiveCopies.reason(waiting)).isEqualTo("unavailable: chunk 0 group 0 has no live copy (drive S-0"
                + " failed); waiting for drive S-1 (missing) to reappear; nothing is rebuilt meanwhile");
    }
}
