package io.nvmesh.service.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.service.agent.OwnerSilence.Verdict;

import org.junit.jupiter.api.Test;

/** The agent's silence rules on a fake clock: ping every 500 ms of quiet, give up after more than 2 s. */
class OwnerSilenceTest {

    private static final long MS = 1_000_000L;
    private static final long CHECK = 250 * MS; // how often the agent looks: half a ping interval

    private long now = 7_000 * MS;
    private final OwnerSilence silence = new OwnerSilence(500 * MS, 2_000 * MS, now);

    private Verdict checkAfter(long nanos) {
        now += nanos;
        return silence.check(now);
    }

    @Test
    void pingsAfterAPingIntervalOfQuietAndGivesUpOnlyAfterMoreThanTheSilenceLimit() {
        assertThat(checkAfter(CHECK)).isEqualTo(Verdict.QUIET_ENOUGH);
        assertThat(checkAfter(CHECK)).isEqualTo(Verdict.PING);
        for (int i = 0; i < 6; i++) {
            assertThat(checkAfter(CHECK)).isEqualTo(Verdict.PING); // up to exactly 2 s
        }
        assertThat(silence.quietNanos(now)).isEqualTo(2_000 * MS);
        assertThat(checkAfter(1)).isEqualTo(Verdict.GIVE_UP);
    }

    @Test
    void aWordFromTheOwnerStartsTheQuietAgain() {
        checkAfter(CHECK);
        checkAfter(CHECK);
        now += 100 * MS;
        silence.heard(now);
        assertThat(checkAfter(150 * MS)).isEqualTo(Verdict.QUIET_ENOUGH);
        assertThat(silence.quietNanos(now)).isEqualTo(150 * MS);
    }

    @Test
    void aCheckDueBetweenTwoPeriodicOnesGivesUpOnTimeRatherThanAtTheNextPeriodicCheck() {
        for (int i = 0; i < 7; i++) {
            checkAfter(CHECK);
        }
        now += 100 * MS; // the owner's last pong was 100 ms after the welcome
        silence.heard(now);
        for (int i = 0; i < 7; i++) {
            assertThat(checkAfter(CHECK)).isNotEqualTo(Verdict.GIVE_UP);
        }
        // 1,750 ms of quiet: the next periodic check (2,000 ms) would not give up yet, the one after (2,250 ms) late.
        long until = silence.untilGiveUpNanos(now);
        assertThat(until).isEqualTo(250 * MS + 1);
        assertThat(checkAfter(until)).isEqualTo(Verdict.GIVE_UP);
        assertThat(silence.quietNanos(now)).isEqualTo(2_000 * MS + 1);
    }

    @Test
    void timeTheAgentsOwnCheckRanLateDoesNotCountAsTheOwnersSilence() {
        checkAfter(CHECK);
        // This process was starved (or stopped) for 3 s: the owner gets a ping interval to answer.
        assertThat(checkAfter(3_000 * MS)).isEqualTo(Verdict.PING);
        assertThat(silence.quietNanos(now)).isEqualTo(500 * MS);
        for (int i = 0; i < 6; i++) {
            assertThat(checkAfter(CHECK)).isEqualTo(Verdict.PING);
        }
        assertThat(checkAfter(CHECK)).isEqualTo(Verdict.GIVE_UP);
    }

    @Test
    void theFirstCheckIsNeverLate() {
        assertThat(checkAfter(1_900 * MS)).isEqualTo(Verdict.PING);
        assertThat(checkAfter(101 * MS)).isEqualTo(Verdict.GIVE_UP);
    }

    @Test
    void aSilenceLimitNotLongerThanThePingIntervalIsRefused() {
        assertThatThrownBy(() -> new OwnerSilence(500 * MS, 500 * MS, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
