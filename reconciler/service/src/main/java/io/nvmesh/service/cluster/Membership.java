package io.nvmesh.service.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Liveness of the configured peers, from heartbeats.
 *
 * <p>Every heartbeat interval this instance posts its {@link Heartbeat} to every configured peer, dead or alive (so a
 * returning peer hears from us at once), and the peer answers with its own. Both an incoming heartbeat and a reply
 * count as hearing from the peer. A peer is live from the first time it is heard from until it has been silent for
 * more than {@code missedBeforeDead} intervals; silence is checked four times per interval, so a dead peer is noticed
 * between {@code missed} and {@code missed + 1/4} intervals after its last word. A heartbeat with a larger epoch than
 * the one known is a restart: noted, and it makes the peer live again. A heartbeat with a smaller epoch is a late
 * message from an earlier life and is ignored.
 *
 * <p>All timing reads the injected ticker (nanoseconds, like {@link System#nanoTime}); tests drive {@link #tick} and
 * {@link #sweep} by hand with a fake ticker. State changes are synchronized and cheap; listeners run on the
 * membership's single scheduler thread, in version order. Sending never blocks: at most one heartbeat is in flight
 * per peer, and the transport bounds how long it may take.
 */
public final class Membership implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Membership.class.getName());

    private final Member self;
    private final long selfEpoch;
    private final Map<String, PeerState> peers = new TreeMap<>();
    private final Duration interval;
    private final long deadAfterNanos;
    private final HeartbeatTransport transport;
    private final LongSupplier ticker;
    private final ScheduledExecutorService scheduler;
    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private long graceNanos;
    private volatile Supplier<String> digest = () -> "";
    private volatile Supplier<Map<String, Integer>> agents = Map::of;
    private ClusterView view;
    private boolean started;
    private boolean closed;

    private Membership(Member self, long selfEpoch, Collection<Member> peerList, Duration interval,
                       int missedBeforeDead, HeartbeatTransport transport, LongSupplier ticker) {
        this.self = Objects.requireNonNull(self, "self");
        if (selfEpoch <= 0) {
            throw new IllegalArgumentException("epoch must be positive, got " + selfEpoch);
        }
        this.selfEpoch = selfEpoch;
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("heartbeat interval must be positive, got " + interval);
        }
        if (missedBeforeDead < 1) {
            throw new IllegalArgumentException("missedBeforeDead must be at least 1, got " + missedBeforeDead);
        }
        this.interval = interval;
        this.deadAfterNanos = interval.toNanos() * missedBeforeDead;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        for (Member peer : peerList) {
            if (peer.id().equals(self.id())) {
                throw new IllegalArgumentException("peer " + peer.id() + " has this instance's own id");
            }
            if (peers.put(peer.id(), new PeerState(peer)) != null) {
                throw new IllegalArgumentException("peer " + peer.id() + " is listed twice");
            }
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nvmesh-membership-" + self.id());
            t.setDaemon(true);
            return t;
        });
        this.view = computeView(1);
    }

    /**
     * A membership for {@code self} and its configured peers; nothing is sent until {@link #start}.
     *
     * @param epoch            this instance's incarnation (its start time in epoch milliseconds)
     * @param interval         how often heartbeats are sent
     * @param missedBeforeDead how many intervals of silence make a peer dead
     * @param ticker           monotonic nanoseconds, {@code System::nanoTime} outside tests
     */
    public static Membership create(Member self, long epoch, Collection<Member> peers, Duration interval,
                                    int missedBeforeDead, HeartbeatTransport transport, LongSupplier ticker) {
        return new Membership(self, epoch, peers, interval, missedBeforeDead, transport, ticker);
    }

    /**
     * Start-up grace: every configured peer not heard from yet counts as live until it has been silent for
     * {@code grace} since {@link #start}, or until it is heard from (it then counts as usual). Without it a starting
     * instance computes ownership as if alone and then once more per peer that answers, moving agents and volumes back
     * and forth while a cluster starts; with it, members that start within the grace of each other never change owners
     * at start. Peers already heard from are untouched, so failover is as fast as before. Call before anything reads
     * the view (the ownership table).
     *
     * @param grace at least the dead-after time; longer covers members that take longer to start
     */
    public synchronized void presumePeersLive(Duration grace) {
        if (grace.compareTo(deadAfter()) < 0) {
            throw new IllegalArgumentException("the start-up grace " + grace + " is shorter than the dead-after time "
                    + deadAfter());
        }
        this.graceNanos = grace.toNanos();
        long now = ticker.getAsLong();
        boolean changed = false;
        for (PeerState p : peers.values()) {
            if (p.epoch == 0 && !p.alive) {
                p.alive = true;
                p.presumed = true;
                p.lastHeardNanos = now;
                changed = true;
            }
        }
        if (changed) {
            publish();
        }
    }

    /** Starts sending heartbeats and watching for silence. */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("membership of " + self.id() + " is closed");
        }
        if (started) {
            return;
        }
        started = true;
        long now = ticker.getAsLong();
        peers.values().stream().filter(p -> p.presumed).forEach(p -> p.lastHeardNanos = now);
        long every = interval.toNanos();
        scheduler.scheduleAtFixedRate(guarded(this::tick), 0, every, TimeUnit.NANOSECONDS);
        scheduler.scheduleAtFixedRate(guarded(this::sweep), every / 4, Math.max(1, every / 4), TimeUnit.NANOSECONDS);
    }

    public String selfId() {
        return self.id();
    }

    public long epoch() {
        return selfEpoch;
    }

    /** How often heartbeats are sent. */
    public Duration heartbeatInterval() {
        return interval;
    }

    /** Silence after which a peer is declared dead. */
    public Duration deadAfter() {
        return Duration.ofNanos(deadAfterNanos);
    }

    /** What this instance says about itself. */
    public Heartbeat heartbeat() {
        return new Heartbeat(self.id(), selfEpoch, self.url(), digest.get(), agents.get());
    }

    /** Where the {@link Heartbeat#agents} counts come from (the instance's agent hub). */
    public void agentsFrom(Supplier<Map<String, Integer>> source) {
        this.agents = Objects.requireNonNull(source, "source");
    }

    /** Where the {@link Heartbeat#digest} comes from (e.g. the current ownership digest). */
    public void digestFrom(Supplier<String> source) {
        this.digest = Objects.requireNonNull(source, "source");
    }

    public synchronized ClusterView view() {
        return view;
    }

    /** Listeners hear about changes after they are added; read {@link #view()} for the present. */
    public void addListener(MembershipListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Takes a heartbeat a peer sent us and returns ours as the reply.
     *
     * @throws UnknownMemberException when the sender is not a configured peer
     */
    public Heartbeat onHeartbeat(Heartbeat from) {
        if (from.id().equals(self.id())) {
            throw new UnknownMemberException("heartbeat from " + from.id() + " carries this instance's own id");
        }
        if (!peers.containsKey(from.id())) {
            throw new UnknownMemberException("\"" + from.id() + "\" is not a configured peer of " + self.id());
        }
        heard(from);
        return heartbeat();
    }

    /** Sends one round of heartbeats; the scheduler calls it every interval. */
    void tick() {
        Heartbeat mine = heartbeat();
        List<PeerState> targets;
        synchronized (this) {
            if (closed) {
                return;
            }
            targets = new ArrayList<>();
            for (PeerState p : peers.values()) {
                if (!p.inFlight) {
                    p.inFlight = true;
                    targets.add(p);
                }
            }
        }
        for (PeerState p : targets) {
            CompletableFuture<Heartbeat> reply;
            try {
                reply = transport.send(p.member.url(), mine);
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
            reply.whenComplete((answer, failure) -> {
                synchronized (this) {
                    p.inFlight = false;
                }
                if (failure != null) {
                    LOG.log(System.Logger.Level.DEBUG, () -> self.id() + ": no heartbeat reply from " + p.member.id()
                            + ": " + failure);
                } else if (!answer.id().equals(p.member.id())) {
                    LOG.log(System.Logger.Level.WARNING, () -> self.id() + ": " + p.member.url() + " answered as "
                            + answer.id() + ", not as " + p.member.id() + "; check the peers configuration");
                } else {
                    heard(answer);
                }
            });
        }
    }

    /** Marks peers dead that have been silent too long; the scheduler calls it four times per interval. */
    synchronized void sweep() {
        if (closed) {
            return;
        }
        long now = ticker.getAsLong();
        boolean changed = false;
        for (PeerState p : peers.values()) {
            if (p.alive && now - p.lastHeardNanos > (p.presumed ? graceNanos : deadAfterNanos)) {
                p.alive = false;
                changed = true;
                boolean never = p.presumed;
                p.presumed = false;
                LOG.log(System.Logger.Level.INFO, () -> self.id() + ": " + p.member.id() + " is dead (silent for "
                        + (now - p.lastHeardNanos) / 1_000_000 + " ms" + (never ? ", never heard since start" : "")
                        + ")");
            }
        }
        if (changed) {
            publish();
        }
    }

    private synchronized void heard(Heartbeat from) {
        if (closed) {
            return;
        }
        String id = from.id();
        long epoch = from.epoch();
        PeerState p = peers.get(id);
        if (epoch < p.epoch) {
            return; // a late word from an earlier life of that peer
        }
        p.agents = from.agents();
        p.lastHeardNanos = ticker.getAsLong();
        p.presumed = false;
        boolean changed = false;
        if (epoch > p.epoch) {
            boolean restart = p.epoch != 0;
            p.epoch = epoch;
            p.incarnations++;
            changed = true;
            if (restart) {
                LOG.log(System.Logger.Level.INFO, () -> self.id() + ": " + id + " restarted (epoch " + epoch + ")");
            }
        }
        if (!p.alive) {
            p.alive = true;
            changed = true;
            LOG.log(System.Logger.Level.INFO, () -> self.id() + ": " + id + " is alive (epoch " + epoch + ")");
        }
        if (changed) {
            publish();
        }
    }

    /** Called with the lock held: a new view, and its notification queued behind the previous ones. */
    private void publish() {
        ClusterView previous = view;
        ClusterView current = computeView(previous.version() + 1);
        view = current;
        if (!listeners.isEmpty()) {
            scheduler.execute(guarded(() -> listeners.forEach(l -> l.membershipChanged(previous, current))));
        }
    }

    private ClusterView computeView(long version) {
        long now = ticker.getAsLong();
        List<MemberStatus> members = new ArrayList<>();
        List<String> live = new ArrayList<>();
        members.add(new MemberStatus(self.id(), self.url(), true, true, selfEpoch, 1, 0, agents.get()));
        live.add(self.id());
        for (PeerState p : peers.values()) {
            long silent = p.epoch == 0 ? -1 : Math.max(0, (now - p.lastHeardNanos) / 1_000_000);
            members.add(new MemberStatus(p.member.id(), p.member.url(), false, p.alive, p.epoch, p.incarnations,
                    silent, p.agents));
            if (p.alive) {
                live.add(p.member.id());
            }
        }
        members.sort((a, b) -> a.id().compareTo(b.id()));
        live.sort(null);
        return new ClusterView(self.id(), version, members, live);
    }

    /** A fresh snapshot with current silence figures (the published view keeps those of its last change). */
    public synchronized ClusterView currentView() {
        return computeView(view.version());
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // A throwing task would silently cancel its periodic schedule.
                LOG.log(System.Logger.Level.ERROR, self.id() + ": membership task failed", e);
            }
        };
    }

    /** Stops sending and watching; peers will notice the silence. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class PeerState {
        final Member member;
        long epoch;
        int incarnations;
        long lastHeardNanos;
        boolean alive;
        boolean inFlight;
        /** Live by {@link #presumePeersLive}, not heard from yet. */
        boolean presumed;
        Map<String, Integer> agents = Map.of();

        PeerState(Member member) {
            this.member = member;
        }
    }
}
