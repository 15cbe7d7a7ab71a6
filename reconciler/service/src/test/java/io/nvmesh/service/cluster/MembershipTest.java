package io.nvmesh.service.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Membership driven by hand: a fake ticker, a transport that records and answers as told, no scheduler. */
class MembershipTest {

    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final long MS = 1_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final RecordingTransport transport = new RecordingTransport();
    private final Membership membership = Membership.create(member("r1"), 1_000, List.of(member("r2"), member("r3")),
            INTERVAL, 3, transport, now::get);

    @AfterEach
    void close() {
        membership.close();
    }

    private static Member member(String id) {
        return new Member(id, URI.create("http://127.0.0.1/" + id));
    }

    private static Heartbeat beat(String id, long epoch) {
        return new Heartbeat(id, epoch, URI.create("http://127.0.0.1/" + id), "");
    }

    private void advance(long millis) {
        now.addAndGet(millis * MS);
    }

    /**
     * r2 heard from, then started: probes answered only by the test, our own heartbeats never (a failed one would
     * start a suspicion of its own).
     */
    private void startHearingR2WithProbesHeld() {
        membership.onHeartbeat(beat("r2", 5));
        transport.hold = true;
        transport.holdProbes = true;
        membership.start();
    }

    @Test
    void aFreshInstanceKnowsOnlyItselfAsLive() {
        ClusterView view = membership.view();

        assertThat(view.live()).containsExactly("r1");
        assertThat(view.members()).extracting(MemberStatus::id).containsExactly("r1", "r2", "r3");
        assertThat(view.members().get(1).silentForMillis()).isEqualTo(-1);
    }

    @Test
    void withTheStartUpGraceConfiguredPeersAreLiveUntilSilentForTheDeadAfterTimeFromStart() {
        List<ClusterView> changes = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> membership.presumePeersLive(Duration.ofMillis(299)))
                .hasMessageContaining("shorter than the dead-after time");
        membership.presumePeersLive(Duration.ofMillis(500));
        membership.addListener((before, after) -> changes.add(after));
        assertThat(membership.view().live()).containsExactly("r1", "r2", "r3");

        advance(1_000); // time spent before start does not count
        membership.start();
        membership.onHeartbeat(beat("r2", 5));
        advance(301);
        membership.sweep();
        // r2 was heard from, so the usual dead-after time applies to it; r3 still has its grace.
        assertThat(membership.view().live()).containsExactly("r1", "r3");

        advance(199);
        membership.sweep();
        assertThat(membership.view().live()).containsExactly("r1", "r3");
        advance(1);
        membership.sweep();
        assertThat(membership.view().live()).containsExactly("r1");
        membership.onHeartbeat(beat("r2", 5));
        assertThat(membership.view().live()).containsExactly("r1", "r2");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(changes).extracting(ClusterView::live)
                .containsExactly(List.of("r1", "r2", "r3"), List.of("r1", "r3"), List.of("r1"), List.of("r1", "r2")));
    }

    @Test
    void aPeerIsLiveOnceHeardFromAndGetsOurHeartbeatInReply() {
        Heartbeat reply = membership.onHeartbeat(beat("r2", 5));

        assertThat(reply.id()).isEqualTo("r1");
        assertThat(reply.epoch()).isEqualTo(1_000);
        assertThat(membership.view().live()).containsExactly("r1", "r2");
    }

    @Test
    void aPeerThatSaysGoodbyeIsCountedOutAtOnceAndNoLateWordOfThatLifeBringsItBack() {
        membership.onHeartbeat(beat("r2", 5));
        membership.onHeartbeat(beat("r3", 6));
        assertThat(membership.view().live()).containsExactly("r1", "r2", "r3");

        membership.onHeartbeat(beat("r2", 5).leavingNow());
        assertThat(membership.view().live()).containsExactly("r1", "r3");

        // A heartbeat it sent before its goodbye, and its answer to one of ours, both arriving late.
        membership.onHeartbeat(beat("r2", 5));
        transport.answerAs("r2", 5);
        membership.tick();
        assertThat(membership.view().live()).containsExactly("r1", "r3");

        membership.onHeartbeat(beat("r2", 8)); // started again
        assertThat(membership.view().live()).containsExactly("r1", "r2", "r3");
        assertThat(membership.view().members().get(1).incarnations()).isEqualTo(2);
    }

    @Test
    void closingSaysGoodbyeToTheLivePeersAndThenAnswersNoHeartbeat() {
        membership.onHeartbeat(beat("r2", 5));
        transport.hold = true; // the periodic heartbeats go unanswered; the goodbye's wait is bounded
        membership.start();

        membership.close();

        assertThat(transport.goodbyesTo).containsExactly(member("r2").url());
        assertThatThrownBy(() -> membership.onHeartbeat(beat("r2", 5)))
                .isInstanceOf(Membership.StoppingException.class);
    }

    @Test
    void aReplyToOurHeartbeatAlsoCountsAsHearingFromThePeer() {
        transport.answerAs("r3", 7);

        membership.tick();

        assertThat(transport.sentTo).containsExactlyInAnyOrder(member("r2").url(), member("r3").url());
        assertThat(membership.view().live()).containsExactly("r1", "r3");
    }

    @Test
    void aSuspectedPeerWhosePortRefusesTwiceIsDeadWithoutWaitingForMissedHeartbeats() {
        membership.onHeartbeat(beat("r2", 5));
        transport.probeAnswer = HeartbeatTransport.Probe.REFUSED;
        membership.start();

        membership.suspect("r2", "an agent of t-1 dialled here");

        // Fake time does not move: only the refusals can end r2.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(membership.view().live())
                .containsExactly("r1"));
        assertThat(transport.probed).hasSizeGreaterThanOrEqualTo(Membership.REFUSALS_FOR_DEATH)
                .allMatch(u -> u.equals(member("r2").url()));
        assertThat(membership.suspected("r2")).isFalse();
    }

    @Test
    void aSuspectThatAcceptsIsProbedForHalfAnIntervalThenLeftToTheHeartbeatsAndNotProbedAgainAtOnce() {
        membership.onHeartbeat(beat("r2", 5));
        transport.probeAnswer = HeartbeatTransport.Probe.ACCEPTED; // a stopped process's kernel, or a proxy
        membership.start();

        membership.suspect("r2", "a heartbeat failed");
        // Interval 100 ms, probes 25 ms apart: the first probe and two more within half an interval.
        await().atMost(Duration.ofSeconds(5)).until(() -> !membership.suspected("r2"));
        membership.suspect("r2", "again");

        assertThat(membership.suspected("r2")).isFalse();
        assertThat(membership.view().live()).containsExactly("r1", "r2");
        assertThat(transport.probed).hasSize(3).allMatch(u -> u.equals(member("r2").url()));
        advance(INTERVAL.toMillis());
        membership.suspect("r2", "an interval later");
        await().atMost(Duration.ofSeconds(5)).until(() -> !membership.suspected("r2"));
        assertThat(transport.probed).hasSize(6);
    }

    @Test
    void aSuspectWhosePortStillAcceptsAndThenRefusesTwiceIsDead() {
        // A killed instance: the connection that raised the suspicion closed a little before the kernel closed its
        // listener, so the first probe still got through.
        membership.onHeartbeat(beat("r2", 5));
        transport.probeAnswers.add(HeartbeatTransport.Probe.ACCEPTED);
        transport.probeAnswers.add(HeartbeatTransport.Probe.REFUSED);
        transport.probeAnswers.add(HeartbeatTransport.Probe.ACCEPTED); // not in a row: starts the count again
        transport.probeAnswer = HeartbeatTransport.Probe.REFUSED;
        membership.start();

        membership.suspect("r2", "a heartbeat failed (EOFException)");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(membership.view().live())
                .containsExactly("r1"));
        assertThat(transport.probed).hasSize(5);
    }

    @Test
    void aSuspectHeardFromWhileItsPortAcceptsIsNoLongerProbed() {
        transport.probeAnswer = HeartbeatTransport.Probe.ACCEPTED;
        startHearingR2WithProbesHeld();

        membership.suspect("r2", "an agent of t-1 dialled here");
        assertThat(membership.suspected("r2")).isTrue();
        membership.onHeartbeat(beat("r2", 5));
        transport.answerNext(HeartbeatTransport.Probe.ACCEPTED);

        assertThat(membership.suspected("r2")).isFalse();
        assertThat(transport.probed).hasSize(1);
        assertThat(membership.view().live()).containsExactly("r1", "r2");
    }

    @Test
    void aSuspectIsInDoubtUntilAProbeAcceptsAgainAfterARefusalAndTheListenersHearTheDoubtLifted() {
        List<String> lifted = new CopyOnWriteArrayList<>();
        membership.addDoubtListener(lifted::add);
        startHearingR2WithProbesHeld();

        membership.suspect("r2", "an agent of t-1 dialled here");
        assertThat(membership.inDoubt("r2")).as("no probe answered yet").isTrue();
        transport.answerNext(HeartbeatTransport.Probe.ACCEPTED);
        assertThat(membership.inDoubt("r2")).as("found accepting: most likely live").isFalse();
        assertThat(membership.suspected("r2")).as("but still probed").isTrue();
        assertThat(lifted).containsExactly("r2");

        await().atMost(Duration.ofSeconds(5)).until(() -> transport.probed.size() == 2);
        transport.answerNext(HeartbeatTransport.Probe.REFUSED);
        assertThat(membership.inDoubt("r2")).as("refused since").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> transport.probed.size() == 3);
        transport.answerNext(HeartbeatTransport.Probe.REFUSED);

        assertThat(membership.view().live()).containsExactly("r1");
        assertThat(membership.inDoubt("r2")).isFalse();
        assertThat(lifted).as("a death is not a lifted doubt").containsExactly("r2");
    }

    @Test
    void aProbeAnswerOfAnEarlierSuspicionDoesNotCountForTheNextOne() {
        startHearingR2WithProbesHeld();

        membership.suspect("r2", "an agent of t-1 dialled here");
        membership.onHeartbeat(beat("r2", 5)); // ends that suspicion; its probe is still out
        membership.suspect("r2", "an agent of t-2 dialled here");
        assertThat(transport.probed).hasSize(2);
        transport.answerNext(HeartbeatTransport.Probe.REFUSED); // sent before r2 was heard from: moot
        transport.answerNext(HeartbeatTransport.Probe.REFUSED);

        assertThat(membership.view().live()).as("one refusal of this suspicion, not two").containsExactly("r1", "r2");
        assertThat(membership.inDoubt("r2")).isTrue();
    }

    @Test
    void hearingFromASuspectInDoubtLiftsTheDoubt() {
        List<String> lifted = new CopyOnWriteArrayList<>();
        membership.addDoubtListener(lifted::add);
        startHearingR2WithProbesHeld();

        membership.suspect("r2", "a heartbeat failed");
        membership.onHeartbeat(beat("r2", 5));

        assertThat(membership.inDoubt("r2")).isFalse();
        assertThat(lifted).containsExactly("r2");
        membership.onHeartbeat(beat("r2", 5));
        assertThat(lifted).as("told once").containsExactly("r2");
    }

    @Test
    void aPeerNotHeardFromSinceStartIsNeverProbed() {
        membership.presumePeersLive(Duration.ofMillis(500));
        transport.probeAnswer = HeartbeatTransport.Probe.REFUSED; // not started yet
        membership.start();

        membership.suspect("r3", "an agent of t-1 dialled here");

        assertThat(transport.probed).isEmpty();
        assertThat(membership.view().live()).containsExactly("r1", "r2", "r3");
    }

    @Test
    void aPeerSilentForMoreThanTheMissedIntervalsIsDeadButNotBefore() {
        membership.onHeartbeat(beat("r2", 5));

        advance(300);
        membership.sweep();
        assertThat(membership.view().live()).containsExactly("r1", "r2");

        advance(1);
        membership.sweep();
        assertThat(membership.view().live()).containsExactly("r1");
    }

    @Test
    void aHeartbeatResetsTheSilence() {
        membership.onHeartbeat(beat("r2", 5));
        advance(250);
        membership.onHeartbeat(beat("r2", 5));
        advance(250);

        membership.sweep();

        assertThat(membership.view().live()).containsExactly("r1", "r2");
    }

    @Test
    void aRestartedPeerRejoinsWithItsNewEpochCounted() {
        membership.onHeartbeat(beat("r2", 5));
        advance(400);
        membership.sweep();

        membership.onHeartbeat(beat("r2", 9));

        MemberStatus r2 = membership.view().members().get(1);
        assertThat(r2.alive()).isTrue();
        assertThat(r2.epoch()).isEqualTo(9);
        assertThat(r2.incarnations()).isEqualTo(2);
    }

    @Test
    void aLateHeartbeatFromAnEarlierLifeIsIgnored() {
        membership.onHeartbeat(beat("r2", 9));
        advance(400);
        membership.sweep();

        membership.onHeartbeat(beat("r2", 5));

        assertThat(membership.view().live()).containsExactly("r1");
        assertThat(membership.view().members().get(1).epoch()).isEqualTo(9);
    }

    @Test
    void heartbeatsFromStrangersOrFromOurOwnIdAreRefused() {
        assertThatThrownBy(() -> membership.onHeartbeat(beat("r9", 1)))
                .isInstanceOf(UnknownMemberException.class).hasMessageContaining("not a configured peer");
        assertThatThrownBy(() -> membership.onHeartbeat(beat("r1", 1)))
                .isInstanceOf(UnknownMemberException.class).hasMessageContaining("own id");
    }

    @Test
    void atMostOneHeartbeatIsInFlightPerPeer() {
        transport.hold = true;

        membership.tick();
        membership.tick();

        assertThat(transport.sentTo).hasSize(2);
    }

    @Test
    void listenersHearEveryChangeInVersionOrder() {
        List<Long> versions = new CopyOnWriteArrayList<>();
        membership.addListener((previous, current) -> {
            assertThat(current.version()).isEqualTo(previous.version() + 1);
            versions.add(current.version());
        });

        membership.onHeartbeat(beat("r2", 5));
        membership.onHeartbeat(beat("r3", 5));
        advance(400);
        membership.sweep();

        await().atMost(Duration.ofSeconds(5)).until(() -> versions.size() == 3);
        assertThat(versions).containsExactly(2L, 3L, 4L);
    }

    @Test
    void anOwnershipTableFollowingMembershipRecomputesOnlyWhenTheLiveSetChanges() {
        OwnershipTable table = OwnershipTable.following(membership, 0.25);
        table.setKeys(List.of("target/a", "target/b", "client/x"));
        List<Ownership> seen = new CopyOnWriteArrayList<>();
        table.addListener(seen::add);

        membership.onHeartbeat(beat("r2", 5));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
        membership.onHeartbeat(beat("r2", 6)); // a restart, same live set

        assertThat(table.current().members()).containsExactly("r1", "r2");
        assertThat(table.current().keyCount()).isEqualTo(3);
        assertThat(table.current().countsBySpace().keySet()).containsExactly("client", "target");
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> seen.size() == 1);
    }

    /** Answers heartbeats as told, or holds them forever. */
    private static final class RecordingTransport implements HeartbeatTransport {
        final List<URI> sentTo = new ArrayList<>();
        final List<URI> probed = new CopyOnWriteArrayList<>();
        volatile Probe probeAnswer = Probe.UNKNOWN;
        /** Answers to the next probes, in order, before {@link #probeAnswer}. */
        final java.util.Queue<Probe> probeAnswers = new java.util.concurrent.ConcurrentLinkedQueue<>();
        /** Probes answered only by {@link #releaseProbes}. */
        volatile boolean holdProbes;
        private final List<CompletableFuture<Probe>> heldProbes = new CopyOnWriteArrayList<>();
        volatile boolean hold;
        private String answerId;
        private long answerEpoch;

        void answerAs(String id, long epoch) {
            this.answerId = id;
            this.answerEpoch = epoch;
        }

        /** The goodbyes sent, by peer URL. */
        final List<URI> goodbyesTo = new CopyOnWriteArrayList<>();

        @Override
        public synchronized CompletableFuture<Heartbeat> send(URI peer, Heartbeat heartbeat) {
            sentTo.add(peer);
            if (heartbeat.leaving()) {
                goodbyesTo.add(peer);
            }
            if (hold) {
                return new CompletableFuture<>();
            }
            if (answerId != null && peer.getPath().endsWith(answerId)) {
                return CompletableFuture.completedFuture(beat(answerId, answerEpoch));
            }
            return CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
        }

        @Override
        public CompletableFuture<Probe> probe(URI peer) {
            probed.add(peer);
            Probe answer = probeAnswers.poll();
            if (holdProbes) {
                CompletableFuture<Probe> later = new CompletableFuture<>();
                heldProbes.add(later);
                return later;
            }
            return CompletableFuture.completedFuture(answer != null ? answer : probeAnswer);
        }

        /** Answers the oldest held probe not answered yet. */
        void answerNext(Probe answer) {
            heldProbes.stream().filter(f -> !f.isDone()).findFirst().orElseThrow().complete(answer);
        }
    }
}
