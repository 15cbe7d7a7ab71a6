package io.nvmesh.service.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hubs joined by an in-memory transport: routing by interest, overflow, resume and keepalives. */
class EventHubTest {

    private static final Duration BOUND = Duration.ofSeconds(5);

    /** Delivers synchronously to the hub at the URL and counts what it carries. */
    static final class Wire implements EventTransport {
        final Map<URI, EventHub> hubs = new HashMap<>();
        final List<String> sent = new ArrayList<>();
        /** Peers whose event requests fail, as a peer that stopped answering. */
        final Set<URI> failing = new java.util.HashSet<>();

        @Override
        public synchronized CompletableFuture<Void> events(URI peer, String from, List<Event> events) {
            sent.add("events " + from + " → " + peer + " " + events.size());
            if (failing.contains(peer)) {
                return CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
            }
            hubs.get(peer).accept(from, events);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public synchronized CompletableFuture<Void> interest(URI peer, Interest interest) {
            sent.add("interest " + interest.instance() + " → " + peer + " " + interest.filters().size());
            EventHub there = hubs.get(peer);
            if (there != null) {
                there.interestOf(interest);
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public synchronized CompletableFuture<Boolean> interestChange(URI peer, InterestChange change) {
            sent.add("change " + change.instance() + " → " + peer + " +" + change.added().size() + " -"
                    + change.removed().size());
            EventHub there = hubs.get(peer);
            return CompletableFuture.completedFuture(there != null && there.interestChanged(change));
        }

        @Override
        public synchronized CompletableFuture<Boolean> digestMatches(URI peer, String instance, String digest) {
            EventHub there = hubs.get(peer);
            return CompletableFuture.completedFuture(there != null && there.digestMatches(instance, digest));
        }

        synchronized long eventMessages() {
            return sent.stream().filter(s -> s.startsWith("events")).count();
        }

        @Override
        public void close() {
        }
    }

    final Wire wire = new Wire();
    final List<EventHub> hubs = new ArrayList<>();

    @AfterEach
    void close() {
        hubs.forEach(EventHub::close);
    }

    private EventHub hub(String id, long epochMillis, EventHub.Settings settings, String... peers) {
        Map<String, URI> live = new HashMap<>();
        for (String p : peers) {
            live.put(p, URI.create("mem://" + p));
        }
        EventHub h = EventHub.start(id, epochMillis, settings, wire, () -> live);
        wire.hubs.put(URI.create("mem://" + id), h);
        hubs.add(h);
        return h;
    }

    private static EventHub.Settings small(int buffer, int queue) {
        return new EventHub.Settings(buffer, queue, Duration.ofSeconds(60), Duration.ofMillis(20));
    }

    private static List<StreamItem> drain(Subscription s) {
        List<StreamItem> out = new ArrayList<>();
        for (StreamItem i = s.poll(); i != null; i = s.poll()) {
            out.add(i);
        }
        return out;
    }

    @Test
    void sequencesCountPerTopicFromTheOriginEpochInSeconds() {
        EventHub a = hub("a", 1_700_000_000_123L, small(8, 8));

        assertThat(a.publish("volume/x", "t", 1).seq()).isEqualTo(1_700_000_000L * 1_000_000 + 1);
        assertThat(a.publish("volume/y", "t", 1).seq()).isEqualTo(1_700_000_000L * 1_000_000 + 1);
        assertThat(a.publish("volume/x", "t", 1).seq()).isEqualTo(1_700_000_000L * 1_000_000 + 2);
        assertThat(a.publish("volume/x", "t", 1).seq()).isLessThan(1L << 53);
    }

    @Test
    void eventsGoOnlyToPeersThatDeclaredInterest() {
        EventHub a = hub("a", 1_000, small(8, 8), "b", "c");
        EventHub b = hub("b", 2_000, small(8, 8), "a", "c");
        EventHub c = hub("c", 3_000, small(8, 8), "a", "b");
        Subscription onB = b.subscribe(Set.of("volume/x"), Map.of(), Duration.ofMinutes(1), () -> { });
        await().atMost(BOUND).until(() -> a.peerWants("b", "volume/x") && c.peerWants("b", "volume/x"));

        a.publish("volume/nobody", "t", 1);
        c.publish("capacity", "t", 1);
        assertThat(wire.eventMessages()).isZero();

        a.publish("volume/x", "t", 1);
        assertThat(wire.sent).filteredOn(s -> s.startsWith("events")).containsExactly("events a → mem://b 1");
        assertThat(drain(onB)).singleElement().isInstanceOf(Event.class);
        assertThat(c.stats().received()).isZero();
    }

    @Test
    void eventsLostOnTheWayToAPeerAreCounted() {
        EventHub a = hub("a", 1_000, small(8, 8), "b");
        EventHub b = hub("b", 2_000, small(8, 8), "a");
        Subscription onB = b.subscribe(Set.of("volume/x"), Map.of(), Duration.ofMinutes(1), () -> { });
        await().atMost(BOUND).until(() -> a.peerWants("b", "volume/x"));

        synchronized (wire) {
            wire.failing.add(URI.create("mem://b"));
        }
        a.publish("volume/x", "t", 1);
        a.publish("volume/x", "t", 2);
        assertThat(a.stats().lostToPeers()).isEqualTo(2);
        assertThat(drain(onB)).isEmpty();

        synchronized (wire) {
            wire.failing.clear();
        }
        a.publish("volume/x", "t", 3);
        assertThat(a.stats().lostToPeers()).isEqualTo(2);
        assertThat(drain(onB)).singleElement().isInstanceOf(Event.class);
    }

    @Test
    void restartedPeerLearnsInterestFromTheDigest() {
        EventHub a = hub("a", 1_000, small(8, 8), "b");
        hub("b", 2_000, small(8, 8), "a").subscribe(Set.of("client/c1"), Map.of(), Duration.ofMinutes(1), () -> { });
        await().atMost(BOUND).until(() -> a.peerWants("b", "client/c1"));

        a.close();
        EventHub restarted = hub("a", 5_000, small(8, 8), "b");

        await().atMost(BOUND).until(() -> restarted.peerWants("b", "client/c1"));
    }

    @Test
    void slowSubscriberIsResetInsteadOfHoldingUpThePublisher() {
        EventHub a = hub("a", 1_000, small(64, 4));
        a.snapshotFrom(topic -> Map.of("snapshot", topic));
        Subscription slow = a.subscribe(Set.of("volume/x"), Map.of(), Duration.ofMinutes(1), () -> { });

        for (int i = 0; i < 10; i++) {
            a.publish("volume/x", "t", i);
        }

        // Queue of 4: events 1-4 fit, 5 overflows (reset at 5, then 6-8), 9 overflows again (reset at 9, then 10).
        // The snapshot covers everything up to the reset's head; the events after it follow without a gap.
        assertThat(drain(slow)).containsExactly(
                new Reset("volume/x", 1_000_009L, "overflow", Map.of("snapshot", "volume/x")),
                new Event("volume/x", "t", 1_000_010L, "a", 9));
        assertThat(a.stats().resets()).isEqualTo(2);
    }

    @Test
    void resumeReplaysFromTheBufferOrResetsWhenItDoesNotReachBack() {
        EventHub a = hub("a", 1_000, small(4, 64));
        Subscription first = a.subscribe(Set.of("volume/x"), Map.of(), Duration.ofMinutes(1), () -> { });
        for (int i = 0; i < 6; i++) {
            a.publish("volume/x", "t", i);
        }
        first.close();

        Subscription within = a.subscribe(Set.of("volume/x"), Map.of("volume/x", 1_000_003L), Duration.ofMinutes(1),
                () -> { });
        Subscription before = a.subscribe(Set.of("volume/x"), Map.of("volume/x", 1_000_001L), Duration.ofMinutes(1),
                () -> { });

        assertThat(drain(within)).extracting(i -> ((Event) i).seq()).containsExactly(1_000_004L, 1_000_005L,
                1_000_006L);
        assertThat(drain(before)).containsExactly(new Reset("volume/x", 1_000_006L, "behind", null));
    }

    @Test
    void idleSubscriptionGetsKeepalives() {
        EventHub a = hub("a", 1_000, small(4, 4));
        Subscription idle = a.subscribe(Set.of("cluster"), Map.of(), Duration.ofMillis(200), () -> { });

        await().atMost(BOUND).until(() -> idle.poll() instanceof Keepalive);
    }

    @Test
    void rejectsMalformedTopicsAndFilters() {
        EventHub a = hub("a", 1_000, small(4, 4));

        assertThatThrownBy(() -> a.publish("volume/*", "t", 1)).hasMessageContaining("not a topic: volume/*");
        assertThatThrownBy(() -> a.subscribe(Set.of("pool/x"), Map.of(), Duration.ofSeconds(1), () -> { }))
                .hasMessageContaining("not a topic filter: pool/x");
        assertThatThrownBy(() -> a.subscribe(Set.of(), Map.of(), Duration.ofSeconds(1), () -> { }))
                .hasMessageContaining("at least one topic");
    }

    @Test
    void replayedAndOlderIncarnationEventsAreRefusedWholeBatchesAtATime() {
        EventHub b = hub("b", 2_000, small(8, 8));
        Subscription onB = b.subscribe(Set.of("volume/x", "volume/y"), Map.of(), Duration.ofMinutes(1), () -> { });
        long epoch = 5L * 1_000_000;
        Event first = new Event("volume/x", "t", epoch + 1, "a", 1);
        b.accept("a", List.of(first));

        assertThatThrownBy(() -> b.accept("a", List.of(first))).isInstanceOf(StaleEventException.class)
                .hasMessageContaining("not newer than");
        Event fresh = new Event("volume/y", "t", epoch + 1, "a", 1);
        assertThatThrownBy(() -> b.accept("a", List.of(fresh, new Event("volume/x", "t", epoch, "a", 1))))
                .isInstanceOf(StaleEventException.class);
        assertThatThrownBy(() -> b.accept("a", List.of(new Event("volume/y", "t", 4L * 1_000_000 + 9, "a", 1))))
                .isInstanceOf(StaleEventException.class).hasMessageContaining("older incarnation");
        assertThatThrownBy(() -> b.accept("a", List.of(fresh, fresh))).isInstanceOf(StaleEventException.class);
        // Another origin on the same topic counts on its own; the next of a's is taken.
        b.accept("c", List.of(new Event("volume/x", "t", epoch + 1, "c", 1)));
        b.accept("a", List.of(fresh, new Event("volume/x", "t", epoch + 2, "a", 1)));

        assertThat(drain(onB)).extracting(i -> ((Event) i).topic() + " " + ((Event) i).origin() + " "
                + (((Event) i).seq() - epoch)).containsExactly("volume/x a 1", "volume/x c 1", "volume/y a 1",
                "volume/x a 2");
    }

    @Test
    void streamsAreLimitedPerCallerPerInstanceAndInFilters() {
        EventHub a = hub("a", 1_000, small(4, 4).withStreams(new StreamLimits.Limits(2, 3, 2)));
        StreamLimits limits = a.streams();

        StreamLimits.Lease first = limits.open("alice", 2);
        limits.open("alice", 1);
        assertThatThrownBy(() -> limits.open("alice", 1)).isInstanceOfSatisfying(StreamLimits.Refused.class,
                e -> assertThat(e.reason()).isEqualTo(StreamLimits.Reason.CALLER));
        StreamLimits.Lease bob = limits.open("bob", 1);
        assertThatThrownBy(() -> limits.open("carol", 1)).isInstanceOfSatisfying(StreamLimits.Refused.class,
                e -> assertThat(e.reason()).isEqualTo(StreamLimits.Reason.INSTANCE));
        assertThatThrownBy(() -> limits.open("carol", 3)).isInstanceOfSatisfying(StreamLimits.Refused.class,
                e -> assertThat(e.reason()).isEqualTo(StreamLimits.Reason.FILTERS));

        // A subscription gives its place back when it closes, and so does one that could not subscribe.
        first.close();
        first.close();
        Subscription s = a.subscribe(Set.of("cluster"), Map.of(), Duration.ofMinutes(1), () -> { },
                limits.open("carol", 1));
        assertThat(limits.open()).isEqualTo(3);
        s.close();
        bob.close();
        assertThatThrownBy(() -> a.subscribe(Set.of("pool/x"), Map.of(), Duration.ofMinutes(1), () -> { },
                limits.open("carol", 1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(limits.open()).isEqualTo(1);
        assertThat(limits.openBy("alice")).isEqualTo(1);
        assertThat(limits.refusals()).containsEntry("caller", 1L).containsEntry("instance", 1L)
                .containsEntry("filters", 1L);
    }

    @Test
    void compactedInterestFitsItsBytesAndStillWantsEveryTopic() {
        java.util.Random random = new java.util.Random(14);
        String[] kinds = {"volume/", "target/", "client/", "drive/"};
        for (int round = 0; round < 200; round++) {
            Set<String> filters = new java.util.HashSet<>();
            int n = random.nextInt(3_000);
            for (int i = 0; i < n; i++) {
                String kind = kinds[random.nextInt(kinds.length)];
                filters.add(random.nextInt(500) == 0 ? kind + "*"
                        : kind + "t" + i + "-" + "x".repeat(random.nextInt(240)));
            }
            if (random.nextBoolean()) {
                filters.add("capacity");
            }
            Interest full = new Interest("r1", 7, round, filters);
            // The default rarely compacts these (up to ~750 KB); the 48 KiB of before often does.
            int budget = round % 2 == 0 ? EventHub.Settings.INTEREST_BYTES : 48 * 1024;
            Interest sent = full.compact(budget);

            int json = new String(("{\"instance\":\"r1\",\"epoch\":7,\"version\":" + round + ",\"filters\":[\""
                    + String.join("\",\"", sent.filters()) + "\"]}")).length();
            assertThat(json).isLessThanOrEqualTo(budget);
            assertThat(filters).allMatch(sent::wants);
            assertThat(sent.version()).isEqualTo(full.version());
            if (full.filters().stream().mapToInt(f -> f.length() + 3).sum() < 1_000
                    && filters.stream().noneMatch(f -> f.endsWith("*"))) {
                assertThat(sent).isEqualTo(full);
            }
        }
        // A wildcard covers the exact topics of its kind: they are not sent.
        assertThat(new Interest("r1", 1, 1, Set.of("volume/*", "volume/a", "drive/b")).compact(4096).filters())
                .containsExactlyInAnyOrder("volume/*", "drive/b");
    }

    @Test
    void peersAreToldTheCompactedInterestAndItsDigest() {
        EventHub a = hub("a", 1_000, small(4, 4), "b");
        EventHub b = hub("b", 2_000, small(4, 4).withInterestBytes(4096), "a");
        Set<String> many = new java.util.HashSet<>();
        for (int i = 0; i < 100; i++) {
            many.add("volume/v" + i + "-" + "x".repeat(100));
        }
        b.subscribe(many, Map.of(), Duration.ofMinutes(1), () -> { });
        b.subscribe(Set.of("drive/d1"), Map.of(), Duration.ofMinutes(1), () -> { });

        assertThat(b.advertisedInterest().filters()).containsExactlyInAnyOrder("volume/*", "drive/d1");
        assertThat(b.interest().filters()).hasSize(101);
        await().atMost(BOUND).until(() -> a.digestMatches("b", b.advertisedInterest().digest()));
        assertThat(a.peerWants("b", "volume/v7-" + "x".repeat(100))).isTrue();
        assertThat(a.peerWants("b", "drive/d2")).isFalse();
    }

    @Test
    void aChangeOfInterestCarriesOnlyWhatChangedAndPeersEndWithTheWholeSet() {
        EventHub a = hub("a", 1_000, small(4, 4), "b");
        // Digests once an hour: every message b sends is a push, none a digest's answer.
        EventHub b = hub("b", 2_000, new EventHub.Settings(4, 4, Duration.ofSeconds(60), Duration.ofHours(1)), "a");
        Set<String> many = new java.util.HashSet<>();
        for (int i = 0; i < 3_000; i++) {
            many.add("volume/v-" + i);
        }
        Subscription first = b.subscribe(many, Map.of(), Duration.ofMinutes(1), () -> { });
        await().atMost(BOUND).until(() -> a.peerWants("b", "volume/v-2999"));

        Subscription one = b.subscribe(Set.of("drive/d1"), Map.of(), Duration.ofMinutes(1), () -> { });
        await().atMost(BOUND).until(() -> a.peerWants("b", "drive/d1"));
        one.close();
        b.subscribe(Set.of("drive/d2"), Map.of(), Duration.ofMinutes(1), () -> { });
        await().atMost(BOUND).until(() -> a.peerWants("b", "drive/d2"));

        synchronized (wire) {
            assertThat(wire.sent).contains("change b → mem://a +1 -0");
        }
        assertThat(a.peerWants("b", "volume/v-2999")).isTrue();
        assertThat(a.peerWants("b", "volume/u-1")).isFalse();
        assertThat(a.peerWants("b", "drive/d1")).isTrue(); // lingers: a reconnecting consumer resumes
        assertThat(a.digestMatches("b", b.advertisedInterest().digest())).isTrue();
        first.close();
    }

    @Test
    void aPeerThatDoesNotHoldTheBaseOfAChangeIsSentTheWholeInterest() {
        // Digests once an hour: only the answer to the change can bring the restarted peer up to date.
        EventHub.Settings rarely = new EventHub.Settings(4, 4, Duration.ofSeconds(60), Duration.ofHours(1));
        EventHub a = hub("a", 1_000, small(4, 4), "b");
        EventHub b = hub("b", 2_000, rarely, "a");
        b.subscribe(Set.of("volume/x"), Map.of(), Duration.ofMinutes(1), () -> { });
        await().atMost(BOUND).until(() -> a.peerWants("b", "volume/x"));

        a.close();
        EventHub restarted = hub("a", 3_000, small(4, 4), "b"); // same URL, nothing known of b
        b.subscribe(Set.of("volume/y"), Map.of(), Duration.ofMinutes(1), () -> { });

        await().atMost(BOUND).until(() -> restarted.peerWants("b", "volume/y"));
        assertThat(restarted.peerWants("b", "volume/x")).isTrue();
        assertThat(restarted.digestMatches("b", b.advertisedInterest().digest())).isTrue();
        synchronized (wire) {
            int change = wire.sent.lastIndexOf("change b → mem://a +1 -0");
            assertThat(change).isNotNegative();
            assertThat(wire.sent.subList(change, wire.sent.size())).contains("interest b → mem://a 2");
        }
    }

    @Test
    void aChangeAppliedToItsBaseMakesTheNewerInterestAndToAnyOtherVersionNothing() {
        java.util.Random random = new java.util.Random(20);
        String[] kinds = {"volume/", "target/", "client/", "drive/"};
        for (int round = 0; round < 300; round++) {
            Set<String> before = new java.util.HashSet<>();
            Set<String> after = new java.util.HashSet<>();
            for (int i = 0; i < random.nextInt(200); i++) {
                String f = random.nextInt(50) == 0 ? kinds[random.nextInt(4)] + "*"
                        : kinds[random.nextInt(4)] + "t" + random.nextInt(300);
                if (random.nextInt(3) > 0) {
                    before.add(f);
                }
                if (random.nextInt(3) > 0) {
                    after.add(f);
                }
            }
            long v = 1 + random.nextInt(1_000);
            Interest from = new Interest("r1", 7, v, before);
            Interest to = new Interest("r1", 7, v + 1 + random.nextInt(5), after);
            InterestChange change = InterestChange.between(from, to);

            assertThat(change.applyTo(from)).isEqualTo(to);
            assertThat(change.applyTo(from).digest()).isEqualTo(to.digest());
            assertThat(change.added()).isSubsetOf(after).noneMatch(before::contains);
            assertThat(change.removed()).isSubsetOf(before).noneMatch(after::contains);
            assertThat(change.applyTo(new Interest("r1", 7, v - 1, before))).isNull();
            assertThat(change.applyTo(new Interest("r1", 8, v, before))).isNull();
            assertThat(change.applyTo(to)).isNull();
            assertThat(change.applyTo(null)).isNull();
        }
        assertThatThrownBy(() -> new InterestChange("r1", 7, 3, 3, Set.of(), Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InterestChange("r1", 7, 3, 4, Set.of("volume/x"), Set.of("volume/x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InterestChange("r1", 7, 3, 4, Set.of("volume/**"), Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void whatIsWantedHereFollowsSubscriptionsAtOnceWhetherOrNotTheInterestWasBuilt() {
        EventHub b = hub("b", 2_000, new EventHub.Settings(4, 4, Duration.ZERO, Duration.ofHours(1)));
        for (int i = 0; i < 50; i++) {
            String topic = "volume/w-" + i;
            Subscription s = b.subscribe(Set.of(topic), Map.of(), Duration.ofMinutes(1), () -> { });
            b.accept("a", List.of(new Event(topic, "t", 1_000_001L, "a", i)));
            Subscription all = b.subscribe(Set.of("drive/*"), Map.of(), Duration.ofMinutes(1), () -> { });
            b.accept("a", List.of(new Event("drive/d-" + i, "t", 1_000_001L, "a", i)));
            assertThat(drain(s)).singleElement().isInstanceOf(Event.class);
            assertThat(drain(all)).singleElement().isInstanceOf(Event.class);
            s.close();
            all.close(); // no linger: nothing here wants these topics any more
            b.accept("a", List.of(new Event(topic, "t", 1_000_002L, "a", i)));
            assertThat(b.interest().wants(topic)).isFalse();
        }
        assertThat(b.stats().delivered()).isEqualTo(100);
        assertThat(b.stats().unwanted()).isEqualTo(50);
        assertThat(b.interest().filters()).isEmpty();
    }
}
