package io.nvmesh.service.events;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One instance's events. {@link #publish} raises an event here; it reaches the subscriptions of this instance whose
 * filters match, and the peers that declared interest in its topic, and nobody else: an event on a topic no instance
 * subscribed to crosses no network. Interest is pushed to live peers when it changes and checked by digest every
 * interval, so a peer that restarted or lost a push catches up.
 *
 * <p>A topic's sequence is assigned where the event is raised (see {@link Event#seq}); each instance keeps the last
 * {@code bufferPerTopic} events of the topics it has interest in, for consumers that resume with {@code since}.
 */
public final class EventHub implements AutoCloseable {

    /**
     * @param bufferPerTopic events kept per topic for resuming consumers
     * @param queuePerSubscriber items a subscription holds before it is reset (the consumer is too slow)
     * @param linger         interest outlives its last subscriber this long, so a consumer that reconnects (or moves
     *                       to another instance) within it resumes without a reset
     * @param digestInterval how often peers are asked whether they know this instance's current interest
     * @param streams        how many streams and filters consumers may open here
     * @param interestBytes  the most the interest told to peers may take as JSON: it is compacted to fit (see
     *                       {@link Interest#compact}), so it always fits a peer's body limit
     */
    public record Settings(int bufferPerTopic, int queuePerSubscriber, Duration linger, Duration digestInterval,
                           StreamLimits.Limits streams, int interestBytes) {

        /**
         * Under the 1 MiB the peers' interest endpoint takes (other endpoints take 64 KiB): room for the JSON around
         * the filters and for the instance id. 10,000 subscribers of one topic each over 3 instances are about 55 KB
         * per instance, which the 48 KiB of before compacted to {@code volume/*}: every peer then sent every volume
         * event to every instance.
         */
        public static final int INTEREST_BYTES = 1_000_000;

        public Settings {
            if (bufferPerTopic < 1 || queuePerSubscriber < 1) {
                throw new IllegalArgumentException("buffers hold at least one event");
            }
            Objects.requireNonNull(linger, "linger");
            Objects.requireNonNull(digestInterval, "digestInterval");
            Objects.requireNonNull(streams, "streams");
            if (interestBytes < 1024) {
                throw new IllegalArgumentException("the interest needs at least 1 KiB, got " + interestBytes);
            }
        }

        public Settings(int bufferPerTopic, int queuePerSubscriber, Duration linger, Duration digestInterval) {
            this(bufferPerTopic, queuePerSubscriber, linger, digestInterval, StreamLimits.Limits.DEFAULTS,
                    INTEREST_BYTES);
        }

        public static Settings defaults(Duration digestInterval) {
            return new Settings(1024, 1024, Duration.ofSeconds(60), digestInterval);
        }

        public Settings withStreams(StreamLimits.Limits limits) {
            return new Settings(bufferPerTopic, queuePerSubscriber, linger, digestInterval, limits, interestBytes);
        }

        public Settings withInterestBytes(int bytes) {
            return new Settings(bufferPerTopic, queuePerSubscriber, linger, digestInterval, streams, bytes);
        }
    }

    private static final System.Logger LOG = System.getLogger(EventHub.class.getName());
    private static final long SEQ_PER_EPOCH = 1_000_000L;
    private static final long PUSH_DELAY_MILLIS = 5;

    private final String self;
    private final long epoch;
    private final long seqBase;
    private final Settings settings;
    private final EventTransport transport;
    private final Supplier<Map<String, URI>> livePeers;
    private final ScheduledExecutorService timer;

    // Guarded by this.
    private final Map<String, Long> counters = new HashMap<>();
    private final Map<String, TopicLog> logs = new HashMap<>();
    private final Map<String, Set<Subscription>> byFilter = new HashMap<>();
    private final Map<String, Long> lingering = new HashMap<>();
    /** The newest incarnation (epoch second) each origin's events came from. */
    private final Map<String, Long> originEpochs = new HashMap<>();
    private Interest interest;
    /** What peers are told: {@link #interest} compacted to fit their body limit. */
    private Interest advertised;
    /**
     * A filter came or went since {@link #interest} was built. Rebuilding copies every filter, so it waits for someone
     * to read the interest (a push, at most every 5 ms): with one rebuild per subscription, 3,300 subscriptions took
     * 8-25 s on one instance (quadratic), which was most of the time 10,000 streams took to open.
     */
    private boolean interestStale;

    /** Every open subscription, for keepalives: iterated by the tick without the hub's lock, which publishers take. */
    private final Set<Subscription> open = ConcurrentHashMap.newKeySet();
    private final Map<String, Interest> peers = new ConcurrentHashMap<>();
    /**
     * Peer id → the newest of our advertised interests sent to it (whole or as a change), which the next push sends
     * the change from. Optimistic: a peer that does not hold it answers so, and is sent the whole interest.
     */
    private final Map<String, Interest> sentTo = new ConcurrentHashMap<>();
    private final Map<String, PeerLink> links = new ConcurrentHashMap<>();
    private volatile Function<String, Object> snapshots = topic -> null;

    private final AtomicBoolean pushScheduled = new AtomicBoolean();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong eventMessages = new AtomicLong();
    private final AtomicLong eventsSent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong unwanted = new AtomicLong();
    private final AtomicLong interestMessages = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();
    private final AtomicLong lostToPeers = new AtomicLong();
    private final Map<String, AtomicLong> peerRefusals = new ConcurrentHashMap<>();
    private final StreamLimits streams;

    private EventHub(String self, long epochMillis, Settings settings, EventTransport transport,
                     Supplier<Map<String, URI>> livePeers) {
        this.self = self;
        this.epoch = epochMillis;
        this.seqBase = (epochMillis / 1000) * SEQ_PER_EPOCH;
        this.settings = settings;
        this.transport = transport;
        this.livePeers = livePeers;
        this.streams = new StreamLimits(settings.streams());
        for (String reason : List.of("not-your-id", "unknown-peer", "stale-event", "bad-request")) {
            peerRefusals.put(reason, new AtomicLong()); // a series from the start, for rates and alerts
        }
        this.interest = new Interest(self, epochMillis, 0, Set.of());
        this.advertised = interest;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nvmesh-events-" + self);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the hub's timer (digests, linger expiry, keepalives).
     *
     * @param epochMillis this instance's incarnation (its membership epoch)
     * @param livePeers   id → URL of the live peers, asked on every publish (keep it cheap)
     */
    public static EventHub start(String self, long epochMillis, Settings settings, EventTransport transport,
                                 Supplier<Map<String, URI>> livePeers) {
        EventHub hub = new EventHub(self, epochMillis, settings, transport, livePeers);
        long digest = Math.max(10, settings.digestInterval().toMillis());
        hub.timer.scheduleWithFixedDelay(hub::checkPeers, digest, digest, TimeUnit.MILLISECONDS);
        hub.timer.scheduleWithFixedDelay(hub::tick, 100, 100, TimeUnit.MILLISECONDS);
        return hub;
    }

    public String self() {
        return self;
    }

    /** Where resets get their snapshot: topic (or filter such as {@code volume/*}) → payload. Must be quick. */
    public void snapshotFrom(Function<String, Object> source) {
        snapshots = Objects.requireNonNull(source, "source");
    }

    /**
     * Raises an event here and routes it to the interested.
     *
     * @return the event with its sequence
     */
    public Event publish(String topic, String type, Object payload) {
        Topics.checkTopic(topic);
        Event event;
        synchronized (this) {
            long n = counters.merge(topic, 1L, Long::sum);
            if (n >= SEQ_PER_EPOCH) {
                throw new IllegalStateException("more than " + (SEQ_PER_EPOCH - 1) + " events on " + topic
                        + " in one incarnation");
            }
            event = new Event(topic, type, seqBase + n, self, payload);
        }
        published.incrementAndGet();
        deliverLocally(List.of(event), false);
        Map<String, URI> live = livePeers.get();
        for (Map.Entry<String, URI> peer : live.entrySet()) {
            Interest there = peers.get(peer.getKey());
            if (there != null && there.wants(topic)) {
                links.computeIfAbsent(peer.getKey(), id -> new PeerLink(self, transport, eventMessages, eventsSent,
                        lostToPeers))
                        .send(peer.getValue(), event);
            }
        }
        return event;
    }

    /**
     * Events a peer raised and sent us (it believed we have interest). The caller has checked that {@code from} is
     * the authenticated sender and the origin of every event.
     *
     * @throws StaleEventException when an event is not newer than the last one taken from its origin on its topic,
     *                             or comes from an older incarnation of its origin (a replay): nothing is delivered
     */
    public void accept(String from, List<Event> events) {
        received.addAndGet(events.size());
        deliverLocally(events, true);
    }

    /** @param fromPeer count events we have no interest in (interest lingers, so 0 unless a peer's news is stale) */
    private void deliverLocally(List<Event> events, boolean fromPeer) {
        Map<Subscription, Boolean> touched = new HashMap<>();
        synchronized (this) {
            if (fromPeer) {
                checkFresh(events);
            }
            for (Event e : events) {
                if (fromPeer) {
                    originEpochs.merge(e.origin(), e.seq() / SEQ_PER_EPOCH, Math::max);
                }
                if (!wantedHere(e.topic())) {
                    if (fromPeer) {
                        unwanted.incrementAndGet();
                    }
                    continue;
                }
                logs.computeIfAbsent(e.topic(), t -> new TopicLog(settings.bufferPerTopic())).add(e);
                for (Subscription s : subscribersOf(e.topic())) {
                    if (s.offer(e)) {
                        delivered.incrementAndGet();
                    } else {
                        s.offerAll(resetsFor(s.filters(), "overflow"));
                    }
                    touched.put(s, Boolean.TRUE);
                }
            }
        }
        touched.keySet().forEach(Subscription::signal);
    }

    /**
     * Refuses a batch with an event an honest peer would not send: one of an origin's older incarnation (its sequence
     * counts from a smaller epoch second than one already taken from it), or one not newer than the last taken from
     * its origin on its topic. Holds the lock.
     */
    private void checkFresh(List<Event> events) {
        Map<String, Long> last = new HashMap<>();
        for (Event e : events) {
            long second = e.seq() / SEQ_PER_EPOCH;
            Long current = originEpochs.get(e.origin());
            if (current != null && second < current) {
                throw new StaleEventException("event " + e.seq() + " on " + e.topic() + " is from an older"
                        + " incarnation of " + e.origin());
            }
            String key = e.origin() + "\n" + e.topic();
            TopicLog log = logs.get(e.topic());
            long before = last.getOrDefault(key, log == null ? 0 : log.headOf(e.origin()));
            if (e.seq() <= before) {
                throw new StaleEventException("event " + e.seq() + " on " + e.topic() + " from " + e.origin()
                        + " is not newer than " + before + ", already taken");
            }
            last.put(key, e.seq());
        }
    }

    private Set<Subscription> subscribersOf(String topic) {
        Set<Subscription> exact = byFilter.getOrDefault(topic, Set.of());
        int slash = topic.indexOf('/');
        Set<Subscription> prefix = slash > 0 ? byFilter.getOrDefault(topic.substring(0, slash + 1) + "*", Set.of())
                : Set.of();
        if (prefix.isEmpty()) {
            return exact;
        }
        Set<Subscription> all = new HashSet<>(exact);
        all.addAll(prefix);
        return all;
    }

    private List<Reset> resetsFor(Set<String> filters, String reason) {
        List<Reset> out = new ArrayList<>();
        for (String f : filters) {
            resets.incrementAndGet();
            out.add(new Reset(f, headOf(f), reason, snapshots.apply(f)));
        }
        return out;
    }

    private long headOf(String filter) {
        long head = 0;
        for (Map.Entry<String, TopicLog> e : logs.entrySet()) {
            if (Topics.matches(filter, e.getKey())) {
                head = Math.max(head, e.getValue().head());
            }
        }
        return head;
    }

    /**
     * Subscribes to topics (exact) and {@code <kind>/*} filters.
     *
     * @param since     topic or filter → the last sequence the consumer saw (absent: only new events); the buffered
     *                  events after it come first, or a {@link Reset} when the buffer does not reach back that far
     * @param keepalive a {@link Keepalive} is queued after this long without items
     * @param ready     called (never under a lock, must not block) after items were queued
     * @throws IllegalArgumentException for a malformed filter, or none
     */
    public Subscription subscribe(Set<String> filters, Map<String, Long> since, Duration keepalive, Runnable ready) {
        return subscribe(filters, since, keepalive, ready, () -> { });
    }

    /**
     * As above, for a consumer's stream: {@code lease} (its place under {@link #streams()}) is given back when the
     * subscription closes, or at once when subscribing fails.
     */
    public Subscription subscribe(Set<String> filters, Map<String, Long> since, Duration keepalive, Runnable ready,
                                  AutoCloseable lease) {
        checkFilters(filters, lease);
        Subscription s = new Subscription(this, filters, settings.queuePerSubscriber(), keepalive, ready, lease);
        boolean changed;
        synchronized (this) {
            s.offerAll(replay(s.filters(), since));
            changed = false;
            for (String f : s.filters()) {
                boolean known = lingering.remove(f) != null || byFilter.containsKey(f);
                byFilter.computeIfAbsent(f, k -> new HashSet<>()).add(s);
                changed |= !known;
            }
            interestStale |= changed;
        }
        open.add(s);
        if (changed) {
            pushInterest();
        }
        s.signal();
        return s;
    }

    /** Refuses an empty or malformed set of filters, giving the lease back first. */
    private static void checkFilters(Set<String> filters, AutoCloseable lease) {
        try {
            if (filters.isEmpty()) {
                throw new IllegalArgumentException("subscribe to at least one topic");
            }
            filters.forEach(Topics::checkFilter);
        } catch (IllegalArgumentException e) {
            try {
                lease.close();
            } catch (Exception x) {
                e.addSuppressed(x);
            }
            throw e;
        }
    }

    /**
     * Called with the lock held: what a new subscriber missed since the sequence numbers it gives per filter, in
     * sequence order per filter; a reset for a filter whose events are no longer all kept.
     */
    private List<StreamItem> replay(Set<String> filters, Map<String, Long> since) {
        List<StreamItem> replay = new ArrayList<>();
        for (String f : filters) {
            Long from = since.get(f);
            if (from == null || from <= 0) {
                continue;
            }
            List<Event> missed = new ArrayList<>();
            boolean reset = false;
            for (Map.Entry<String, TopicLog> e : logs.entrySet()) {
                if (Topics.matches(f, e.getKey())) {
                    List<Event> after = e.getValue().after(from);
                    if (after == null) {
                        reset = true;
                    } else {
                        missed.addAll(after);
                    }
                }
            }
            if (reset) {
                replay.addAll(resetsFor(Set.of(f), "behind"));
            } else {
                missed.sort((a, b) -> Long.compare(a.seq(), b.seq()));
                replay.addAll(missed);
            }
        }
        return replay;
    }

    void unsubscribe(Subscription s) {
        open.remove(s);
        long until = System.nanoTime() + settings.linger().toNanos();
        synchronized (this) {
            for (String f : s.filters()) {
                Set<Subscription> set = byFilter.get(f);
                if (set != null && set.remove(s) && set.isEmpty()) {
                    byFilter.remove(f);
                    lingering.put(f, until);
                }
            }
        }
        if (settings.linger().isZero()) {
            tick();
        }
    }

    /** Whether a subscription here, or a lingering filter, wants {@code topic}: the interest, not yet built. Holds the lock. */
    private boolean wantedHere(String topic) {
        if (byFilter.containsKey(topic) || lingering.containsKey(topic)) {
            return true;
        }
        int slash = topic.indexOf('/');
        if (slash <= 0) {
            return false;
        }
        String kind = topic.substring(0, slash + 1) + "*";
        return byFilter.containsKey(kind) || lingering.containsKey(kind);
    }

    /** The interest, rebuilt first when a filter came or went. Holds the lock. */
    private Interest current() {
        if (interestStale) {
            interestStale = false;
            refreshInterest();
        }
        return interest;
    }

    /** Recomputes the interest from subscriptions and lingering filters; true when it changed. Holds the lock. */
    private boolean refreshInterest() {
        Set<String> filters = new HashSet<>(byFilter.keySet());
        filters.addAll(lingering.keySet());
        if (filters.equals(interest.filters())) {
            return false;
        }
        interest = new Interest(self, epoch, interest.version() + 1, filters);
        advertised = interest.compact(settings.interestBytes());
        logs.keySet().removeIf(topic -> !interest.wants(topic));
        return true;
    }

    public synchronized Interest interest() {
        return current();
    }

    /** The interest as peers are told it: {@link #interest()} compacted to fit their body limit. */
    public synchronized Interest advertisedInterest() {
        current();
        return advertised;
    }

    /**
     * A peer's interest arrived; older news than what we hold is ignored. The same version replaces what we hold: an
     * honest peer has one set per version, and a copy that differs (a digest that never matches) would otherwise stay.
     */
    public void interestOf(Interest from) {
        peers.merge(from.instance(), from, (old, now) -> old.supersedes(now) ? old : now);
    }

    /**
     * A peer's interest changed; applied when we hold exactly the version it changes from.
     *
     * @return false when we do not hold that version (the peer then sends its whole interest)
     */
    public boolean interestChanged(InterestChange change) {
        boolean[] applied = new boolean[1];
        peers.computeIfPresent(change.instance(), (id, held) -> {
            Interest next = change.applyTo(held);
            applied[0] = next != null;
            return next != null ? next : held;
        });
        return applied[0];
    }

    /** Whether the peer {@code instance} has told us it wants {@code topic} (what routing decides by). */
    public boolean peerWants(String instance, String topic) {
        Interest known = peers.get(instance);
        return known != null && known.wants(topic);
    }

    /** Whether our copy of {@code instance}'s interest has this digest. */
    public boolean digestMatches(String instance, String digest) {
        Interest known = peers.get(instance);
        if (known == null) {
            return false;
        }
        // Each peer asks every interval; the digest sorts and hashes every filter, so once per version we hold.
        Digested last = peerDigests.get(instance);
        if (last == null || last.interest() != known) {
            last = new Digested(known, known.digest());
            peerDigests.put(instance, last);
        }
        return last.digest().equals(digest);
    }

    /**
     * Pushes soon rather than now: a burst of subscriptions (a client reconnecting thousands of streams) becomes a
     * few pushes of the whole set instead of one per subscription.
     */
    private void pushInterest() {
        if (pushScheduled.compareAndSet(false, true)) {
            try {
                timer.schedule(this::pushInterestNow, PUSH_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                pushScheduled.set(false); // closing
            }
        }
    }

    private void pushInterestNow() {
        pushScheduled.set(false);
        Interest now = advertisedInterest();
        livePeers.get().forEach((id, url) -> {
            Interest base = sentTo.get(id);
            if (base != null && base.epoch() == now.epoch() && base.version() >= now.version()) {
                return; // a digest's answer already sent it
            }
            if (base == null || base.epoch() != now.epoch()) {
                pushWhole(id, url, now);
                return;
            }
            InterestChange change = InterestChange.between(base, now);
            if (change.size() >= now.filters().size()) {
                pushWhole(id, url, now); // no smaller than the whole
                return;
            }
            sentTo.merge(id, now, EventHub::newer);
            interestMessages.incrementAndGet();
            transport.interestChange(url, change).whenComplete((applied, failure) -> {
                if (failure != null || !Boolean.TRUE.equals(applied)) {
                    sentTo.remove(id, now);
                    pushWhole(id, url, advertisedInterest());
                }
            });
        });
    }

    /** Sends the whole interest; a peer that took it is sent changes from it next time. */
    private void pushWhole(String id, URI url, Interest interest) {
        interestMessages.incrementAndGet();
        transport.interest(url, interest).whenComplete((ok, failure) -> {
            if (failure == null) {
                sentTo.merge(id, interest, EventHub::newer);
            }
        });
    }

    private static Interest newer(Interest a, Interest b) {
        return b.supersedes(a) ? b : a;
    }

    private record Digested(Interest interest, String digest) {
    }

    /** The advertised interest last digested, and its digest; written by the timer thread only. */
    private volatile Digested digested;
    /** Peer id → the copy of its interest we last digested, and the digest. */
    private final Map<String, Digested> peerDigests = new ConcurrentHashMap<>();

    private void checkPeers() {
        try {
            Interest now = advertisedInterest();
            Digested last = digested;
            if (last == null || last.interest() != now) {
                last = new Digested(now, now.digest()); // sorts and hashes every filter: once per version
                digested = last;
            }
            String digest = last.digest();
            livePeers.get().forEach((id, url) -> {
                interestMessages.incrementAndGet();
                transport.digestMatches(url, self, digest).thenAccept(same -> {
                    if (!same) {
                        pushWhole(id, url, advertisedInterest());
                    }
                }).exceptionally(e -> null);
            });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "checking peers' copies of our interest failed", e);
        }
    }

    /** Expires lingering interest and queues keepalives. */
    private void tick() {
        try {
            long now = System.nanoTime();
            boolean changed;
            synchronized (this) {
                // Recomputing the interest copies every filter: only when a lingering one expired (publishers wait).
                changed = lingering.values().removeIf(until -> until - now <= 0);
                interestStale |= changed;
            }
            if (changed) {
                pushInterest();
            }
            open.forEach(s -> {
                if (s.tick(now)) {
                    s.signal();
                }
            });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "event hub tick failed", e);
        }
    }

    /** The limits on this instance's event streams (SSE and WebSocket together), and their refusals. */
    public StreamLimits streams() {
        return streams;
    }

    /**
     * Counts a request from a peer that was refused, by reason ({@code not-your-id}, {@code unknown-peer},
     * {@code stale}, {@code malformed}): forged, replayed or broken news, for the metrics.
     */
    public void refusedFromPeer(String reason) {
        peerRefusals.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }

    /** Refused peer requests by reason, since start. */
    public Map<String, Long> peerRefusals() {
        Map<String, Long> out = new java.util.TreeMap<>();
        peerRefusals.forEach((reason, n) -> out.put(reason, n.get()));
        return out;
    }

    public EventStats stats() {
        return new EventStats(published.get(), eventMessages.get(), eventsSent.get(), received.get(),
                unwanted.get(), interestMessages.get(), delivered.get(), resets.get(), lostToPeers.get());
    }

    @Override
    public void close() {
        timer.shutdownNow();
        transport.close();
    }
}
