package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.cli.remote.VolumeWait;
import io.nvmesh.cli.remote.VolumeWait.State;
import io.nvmesh.cli.remote.VolumeWait.Verdict;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two faces of the apply --wait display: a log of changes, or a summary line updated in place. */
class WaitProgressTest {

    private static final State PENDING = new State("a", false, "pending", "", false, Verdict.WAITING);
    private static final State ONLINE = new State("a", false, "online", "", true, Verdict.ONLINE);
    private static final State FAILED = new State("b", false, "pending", "no room", true, Verdict.FAILED);

    /** Elapsed times depend on the machine's pace; the shape does not. */
    private static String shown(StringWriter out) {
        return out.toString().replaceAll("\\[\\d+s\\]", "[Ns]").replaceAll("\\(\\d+s\\)", "(Ns)");
    }

    @Test
    void offATerminalEveryChangeIsALineAndNothingIsRewrittenOrColoured() {
        StringWriter out = new StringWriter();
        WaitProgress p = new WaitProgress(new PrintWriter(out), false, false);
        p.changed(PENDING);
        p.round(List.of(PENDING, FAILED));
        p.changed(ONLINE);
        p.changed(FAILED);
        p.finish();

        assertThat(shown(out).lines().toList()).containsExactly(
                "  [Ns] a: pending (its owner has not reconciled this commit yet)", "  [Ns] a: online",
                "  [Ns] b: pending: no room");
    }

    @Test
    void onATerminalTheSummaryIsRewrittenInPlaceAndSettledVolumesAreColouredLines() {
        StringWriter out = new StringWriter();
        WaitProgress p = new WaitProgress(new PrintWriter(out), true, true);
        p.changed(PENDING);
        p.round(List.of(PENDING, FAILED));
        p.changed(ONLINE);
        p.round(List.of(ONLINE, FAILED));
        p.finish();

        assertThat(shown(out)).isEqualTo(
                "\r\u001b[Kwaiting for 2 volume(s): 0 online, 1 failed, 1 waiting (Ns)"
                        + "\r\u001b[K  [Ns] a: \u001b[32monline\u001b[0m\n"
                        + "\r\u001b[Kwaiting for 2 volume(s): 1 online, 1 failed, 0 waiting (Ns)\n");
    }

    @Test
    void withoutColourATerminalGetsNoColourCodes() {
        StringWriter out = new StringWriter();
        WaitProgress p = new WaitProgress(new PrintWriter(out), true, false);
        p.changed(FAILED);
        assertThat(shown(out)).isEqualTo("  [Ns] b: pending: no room\n").doesNotContain("\u001b[3");
        assertThat(VolumeWait.POLL.toSeconds()).isEqualTo(2);
    }
}
