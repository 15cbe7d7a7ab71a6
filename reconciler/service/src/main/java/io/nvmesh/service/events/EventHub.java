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
     */
    public record Settings(int bufferPerTopic, int queuePerSubscriber, Duration linger, Duration digestInterval) {

        public Settings {
            if (bufferPerTopic < 1 || queuePerSubscriber < 1) {
                throw new IllegalArgumentException("buffers hold at least one event");
            }
            Objects.requireNonNull(linger, "linger");
            Objects.requireNonNull(digestInterval, "digestInterval");
        }

        public static Settings defaults(Duration digestInterval) {
            return new Settings(1024, 1024, Duration.ofSeconds(60), digestInterval);
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
    private Interest interest;

    /** Every open subscription, for keepalives: iterated by the tick without the hub's lock, which publishers take. */
    private final Set<Subscription> open = ConcurrentHashMap.newKeySet();
    private final Map<String, Interest> peers = new ConcurrentHashMap<>();
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

    private EventHub(String self, long epochMillis, Settings settings, EventTransport transport,
                     Supplier<Map<String, URI>> livePeers) {
        this.self = self;
        this.epoch = epochMillis;
        this.seqBase = (epochMillis / 1000) * SEQ_PER_EPOCH;
        this.settings = settings;
        this.transport = transport;
        this.livePeers = livePeers;
        this.interest = new Interest(self, epochMillis, 0, Set.of());
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

    /** Events a peer sent us (it believed we have interest). */
    public void accept(String from, List<Event> events) {
        received.addAndGet(events.size());
        deliverLocally(events, true);
    }

    /** @param fromPeer count events we have no interest in (interest lingers, so 0 unless a peer's news is stale) */
    private void deliverLocally(List<Event> events, boolean fromPeer) {
        Map<Subscription, Boolean> touched = new HashMap<>();
        synchronized (this) {
            for (Event e : events) {
                if (!interest.wants(e.topic())) {
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
        if (filters.isEmpty()) {
            throw new IllegalArgumentException("subscribe to at least one topic");
        }
        filters.forEach(Topics::checkFilter);
        Subscription s = new Subscription(this, filters, settings.queuePerSubscriber(), keepalive, ready);
        boolean changed;
        synchronized (this) {
            List<StreamItem> replay = new ArrayList<>();
            for (String f : s.filters()) {
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
            s.offerAll(replay);
            for (String f : s.filters()) {
                byFilter.computeIfAbsent(f, k -> new HashSet<>()).add(s);
                lingering.remove(f);
            }
            changed = refreshInterest();
        }
        open.add(s);
        if (changed) {
            pushInterest();
        }
        s.signal();
        return s;
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

    /** Recomputes the interest from subscriptions and lingering filters; true when it changed. Holds the lock. */
    private boolean refreshInterest() {
        Set<String> filters = new HashSet<>(byFilter.keySet());
        filters.addAll(lingering.keySet());
        if (filters.equals(interest.filters())) {
            return false;
        }
        interest = new Interest(self, epoch, interest.version() + 1, filters);
        logs.keySet().removeIf(topic -> !interest.wants(topic));
        return true;
    }

    public synchronized Interest interest() {
        return interest;
    }

    /** A peer's interest arrived; older news than what we hold is ignored. */
    public void interestOf(Interest from) {
        peers.merge(from.instance(), from, (old, now) -> now.supersedes(old) ? now : old);
    }

    /** Whether the peer {@code instance} has told us it wants {@code topic} (what routing decides by). */
    public boolean peerWants(String instance, String topic) {
        Interest known = peers.get(instance);
        return known != null && known.wants(topic);
    }

    /** Whether our copy of {@code instance}'s interest has this digest. */
    public boolean digestMatches(String instance, String digest) {
        Interest known = peers.get(instance);
        return known != null && known.digest().equals(digest);
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
        Interest now = interest();
        livePeers.get().values().forEach(url -> {
            interestMessages.incrementAndGet();
            transport.interest(url, now).exceptionally(e -> null);
        });
    }

    private void checkPeers() {
        try {
            Interest now = interest();
            String digest = now.digest();
            livePeers.get().values().forEach(url -> {
                interestMessages.incrementAndGet();
                transport.digestMatches(url, self, digest).thenAccept(same -> {
                    if (!same) {
                        interestMessages.incrementAndGet();
                        transport.interest(url, interest()).exceptionally(e -> null);
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
                changed = lingering.values().removeIf(until -> until - now <= 0) && refreshInterest();
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
