package io.nvmesh.cli.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.cli.remote.VolumeWait.Verdict;
import org.junit.jupiter.api.Test;

/** The verdict rules of {@code apply --wait} on one reading of a volume; the live loop is in ApplyWaitTest. */
class VolumeWaitTest {

    @Test
    void aFailedVolumeIsAFailureOnceItsOwnerReconciledTheCommit() {
        String reason = "data lost: chunk 0 group 0 has no surviving copy (drive S-12 failed); recreate it empty by"
                + " adding the annotation nvmesh.io/accept-data-loss: S-12 to volume cc";

        assertThat(VolumeWait.verdict("failed", reason, true, false)).isEqualTo(Verdict.FAILED);
        assertThat(VolumeWait.verdict("failed", reason, false, false)).as("a record from before the commit")
                .isEqualTo(Verdict.WAITING);
        assertThat(new VolumeWait.State("cc", false, "failed", reason, true, Verdict.FAILED).describe())
                .isEqualTo("failed: " + reason);
    }

    @Test
    void keepsTheOtherRules() {
        assertThat(VolumeWait.verdict("online", "", true, false)).isEqualTo(Verdict.ONLINE);
        assertThat(VolumeWait.verdict("online", "", true, true)).isEqualTo(Verdict.WAITING);
        assertThat(VolumeWait.verdict("blocked", "deletion blocked", true, true)).isEqualTo(Verdict.FAILED);
        assertThat(VolumeWait.verdict("pending", "no room", true, false)).isEqualTo(Verdict.FAILED);
        assertThat(VolumeWait.verdict("pending", "waiting for 2 fixed-size volumes", true, false))
                .isEqualTo(Verdict.WAITING);
        assertThat(VolumeWait.verdict("degraded", "unavailable: chunk 0 group 0 has no live copy", true, false))
                .isEqualTo(Verdict.WAITING);
        assertThat(VolumeWait.verdict("rebuilding", "", true, false)).isEqualTo(Verdict.WAITING);
        assertThat(VolumeWait.verdict("extending", "8 new segment(s) not served yet by their targets", true, false))
                .as("grown, new segments not served yet").isEqualTo(Verdict.WAITING);
    }

    @Test
    void aGrowingVolumeReadsOnlineExtendingAndAReasonNeverRepeatsItsStatus() {
        assertThat(new VolumeWait.State("db", false, "extending", "8 new segment(s) not served yet by their targets",
                true, Verdict.WAITING).describe())
                .isEqualTo("online (extending): 8 new segment(s) not served yet by their targets");
        // A record written before reasons stopped starting with the status.
        assertThat(new VolumeWait.State("db", false, "initializing", "initializing: 8 segment(s) not served yet",
                true, Verdict.WAITING).describe()).isEqualTo("initializing: 8 segment(s) not served yet");
    }
}
