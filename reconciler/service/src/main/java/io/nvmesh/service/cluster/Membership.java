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

    /** Refused probes in a row, each at least {@link #PROBE_GAP} after the one before, that make a suspect dead. */
    static final int REFUSALS_FOR_DEATH = 2;
    static final Duration PROBE_GAP = Duration.ofMillis(40);

    private final Member self;
    private final long selfEpoch;
    private final Map<String, PeerState> peers = new TreeMap<>();
    private final Duration interval;
    private final long deadAfterNanos;
    private final long probeGapNanos;
    /** Accepting probes after which a suspect is left to the heartbeats: half an interval's worth of probe gaps. */
    private final int settleProbes;
    private final HeartbeatTransport transport;
    private final LongSupplier ticker;
    private final ScheduledExecutorService scheduler;
    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<String>> doubtListeners = new CopyOnWriteArrayList<>();
    private long graceNanos;
    /** When the scheduled sweep last ran, by the real clock; a much longer gap means this process did not run. */
    private long lastScheduledSweepNanos;
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
        this.probeGapNanos = Math.max(1_000_000, Math.min(PROBE_GAP.toNanos(), interval.toNanos() / 4));
        this.settleProbes = (int) Math.max(1, interval.toNanos() / 2 / probeGapNanos);
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
        scheduler.scheduleAtFixedRate(guarded(this::scheduledSweep), every / 4, Math.max(1, every / 4),
                TimeUnit.NANOSECONDS);
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
        synchronized (this) {
            if (closed) {
                // A stopping instance must not look alive: answering here, while its listener still serves the last
                // requests, made peers that had just declared it dead declare it alive again, and its nodes moved
                // twice.
                throw new StoppingException(self.id() + " is stopping");
            }
        }
        if (from.id().equals(self.id())) {
            throw new UnknownMemberException("heartbeat from " + from.id() + " carries this instance's own id");
        }
        if (!peers.containsKey(from.id())) {
            throw new UnknownMemberException("\"" + from.id() + "\" is not a configured peer of " + self.id());
        }
        if (from.leaving()) {
            left(from);
        } else {
            heard(from);
        }
        return heartbeat();
    }

    /**
     * A peer said goodbye: it is stopping on purpose, after its reconcile loop and before its agent hub. It is counted
     * out now, so that its agents, which it drops next, are welcomed by their new owners at once instead of being held
     * for the dead-after time; a late heartbeat of the same life does not bring it back (a restart has a larger epoch).
     */
    private synchronized void left(Heartbeat from) {
        if (closed) {
            return;
        }
        PeerState p = peers.get(from.id());
        if (from.epoch() < p.epoch) {
            return; // an earlier life's goodbye, late
        }
        if (from.epoch() > p.epoch) {
            p.incarnations++;
        }
        p.epoch = from.epoch();
        p.leftEpoch = from.epoch();
        p.presumed = false;
        p.probing = false;
        if (p.alive) {
            p.alive = false;
            LOG.log(System.Logger.Level.INFO, () -> self.id() + ": " + from.id() + " left (epoch " + from.epoch()
                    + ")");
            publish();
        }
    }

    /**
     * A sign that a live peer may be gone: a connection to it failed or closed, or an agent it owned dialled here.
     * Not proof (a proxy or a partition closes connections too), so it only starts probing: bare connects to the
     * peer's port every {@link #PROBE_GAP}. {@link #REFUSALS_FOR_DEATH} refusals in a row, with no word from the peer
     * since the suspicion began, declare it dead at once: a refused connect means no process listens at its URL, and
     * an instance closes its listener only after its reconcile loop and agent hub (or the kernel closed it with the
     * process). A probe that does not answer ends the probing; a peer that accepts is probed on for half a heartbeat
     * interval (a killed process's kernel may close its connections a little before its listener), and then, or as
     * soon as the peer is heard from, left to the heartbeats' dead-after time. A peer found accepting is not probed
     * again for a heartbeat interval, so a stream of hints costs at most one round of probes (six with the default
     * interval) per peer per interval and a half. Never blocks; a no-op for unknown, dead or already suspected
     * peers.
     */
    public void suspect(String peerId, String why) {
        PeerState p;
        long round;
        synchronized (this) {
            p = peers.get(peerId);
            long now = ticker.getAsLong();
            // A peer not heard from in this life (presumed live at start) is not gone but not there yet: refusals
            // while it starts must not defeat the start-up grace.
            if (p == null || closed || !started || !p.alive || p.probing || p.presumed || p.epoch == 0
                    || p.lastAcceptedNanos != 0 && now - p.lastAcceptedNanos < interval.toNanos()) {
                return;
            }
            p.probing = true;
            p.suspicion = why;
            p.suspectedSinceNanos = now;
            p.refusals = 0;
            p.accepted = 0;
            round = ++p.round;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> self.id() + ": " + peerId + " suspected (" + why + "); probing");
        probe(p, round);
    }

    /** Whether {@code peerId} is being probed right now (see {@link #suspect}). */
    public synchronized boolean suspected(String peerId) {
        PeerState p = peers.get(peerId);
        return p != null && p.probing;
    }

    /**
     * Whether {@code peerId} is being probed and looks gone: no probe has answered yet, or the last one was refused.
     * A suspect whose port accepts is still probed for a while, but is not in doubt: it is most likely live (a hello
     * for a node it owns, sent here after a redirect, made us suspect it), and what waits on it should not.
     */
    public synchronized boolean inDoubt(String peerId) {
        PeerState p = peers.get(peerId);
        return p != null && p.probing && (p.accepted == 0 || p.refusals > 0);
    }

    /**
     * Hears the id of a peer that stops being {@link #inDoubt} without being declared dead (it accepted a probe, or it
     * was heard from, or a probe went unanswered), on whatever thread learnt it, outside the membership's lock; must
     * be quick. A death is told to the {@link #addListener membership listeners}.
     */
    public void addDoubtListener(java.util.function.Consumer<String> listener) {
        doubtListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void doubtLifted(String peerId) {
        doubtListeners.forEach(l -> l.accept(peerId));
    }

    private void probe(PeerState p, long round) {
        synchronized (this) {
            if (closed || !p.probing || p.round != round) {
                return;
            }
        }
        CompletableFuture<HeartbeatTransport.Probe> answer;
        try {
            answer = transport.probe(p.member.url());
        } catch (RuntimeException e) {
            answer = CompletableFuture.completedFuture(HeartbeatTransport.Probe.UNKNOWN);
        }
        answer.whenComplete((result, failure) -> probed(p, round,
                failure != null ? HeartbeatTransport.Probe.UNKNOWN : result));
    }

    private void probed(PeerState p, long round, HeartbeatTransport.Probe result) {
        boolean lifted;
        boolean again;
        synchronized (this) {
            if (closed || !p.probing || p.round != round) {
                return; // heard from, declared dead meanwhile, closing, or suspected anew (that round probes)
            }
            boolean doubted = p.accepted == 0 || p.refusals > 0;
            long now = ticker.getAsLong();
            LOG.log(System.Logger.Level.DEBUG, () -> self.id() + ": probe of " + p.member.id() + ": " + result);
            if (result == HeartbeatTransport.Probe.REFUSED) {
                p.refusals++;
                // Any word from the peer since the suspicion began ended the probing (heard): it has said nothing.
                if (p.refusals >= REFUSALS_FOR_DEATH) {
                    p.alive = false;
                    p.probing = false;
                    p.presumed = false;
                    int refusals = p.refusals;
                    String why = p.suspicion;
                    LOG.log(System.Logger.Level.INFO, () -> self.id() + ": " + p.member.id() + " is dead (" + refusals
                            + " connects refused in " + (now - p.suspectedSinceNanos) / 1_000_000 + " ms, silent for "
                            + (now - p.lastHeardNanos) / 1_000_000 + " ms; suspected because " + why + ")");
                    publish();
                    return;
                }
                again = true;
            } else if (result == HeartbeatTransport.Probe.ACCEPTED && ++p.accepted <= settleProbes) {
                // A killed process's kernel closes its connections and its listener in one teardown, but not in one
                // instant: the connection that made us suspicious can close while the listener still accepts. Look
                // again for half an interval; the refusals must still come in a row.
                p.refusals = 0;
                again = true;
            } else {
                // Unanswered (a stopped host, a drop), or accepting for half an interval: left to the heartbeats.
                p.probing = false;
                if (result == HeartbeatTransport.Probe.ACCEPTED) {
                    p.lastAcceptedNanos = now;
                }
                again = false;
            }
            lifted = doubted && (!p.probing || p.refusals == 0);
        }
        if (lifted) {
            doubtLifted(p.member.id());
        }
        if (again) {
            try {
                scheduler.schedule(guarded(() -> probe(p, round)), probeGapNanos, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
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
                    suspect(p.member.id(), "a heartbeat failed (" + failure.getClass().getSimpleName() + ")");
                } else if (!answer.id().equals(p.member.id())) {
                    LOG.log(System.Logger.Level.WARNING, () -> self.id() + ": " + p.member.url() + " answered as "
                            + answer.id() + ", not as " + p.member.id() + "; check the peers configuration");
                } else {
                    heard(answer);
                }
            });
        }
    }

    /**
     * The sweep as the scheduler runs it, first checking whether this process ran at all since the last one. Measured
     * with the real clock, not the ticker: it is about this process being stopped (SIGSTOP, a VM paused, a long GC or
     * starvation), which a test's fake time never is.
     */
    private void scheduledSweep() {
        long real = System.nanoTime();
        synchronized (this) {
            long since = lastScheduledSweepNanos == 0 ? 0 : real - lastScheduledSweepNanos;
            lastScheduledSweepNanos = real;
            if (since > Math.max(2 * interval.toNanos(), deadAfterNanos / 2) && !closed) {
                // The peers' silence is ours. Give each a fresh interval to answer the heartbeats that go out now,
                // rather than declare them all dead and, for a moment, own every node and volume alone.
                long credit = ticker.getAsLong() - deadAfterNanos + interval.toNanos();
                peers.values().forEach(p -> p.lastHeardNanos = Math.max(p.lastHeardNanos, credit));
                LOG.log(System.Logger.Level.WARNING, () -> self.id() + ": membership did not run for "
                        + since / 1_000_000 + " ms (paused or starved); peers get another interval to answer");
            }
        }
        sweep();
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
                p.probing = false;
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

    private void heard(Heartbeat from) {
        if (heardLocked(from)) {
            doubtLifted(from.id());
        }
    }

    /** @return whether the peer was in doubt until now */
    private synchronized boolean heardLocked(Heartbeat from) {
        if (closed) {
            return false;
        }
        String id = from.id();
        long epoch = from.epoch();
        PeerState p = peers.get(id);
        if (epoch < p.epoch || epoch == p.leftEpoch) {
            return false; // a late word from an earlier life of that peer, or from one that said goodbye
        }
        boolean doubted = p.probing && (p.accepted == 0 || p.refusals > 0);
        p.agents = from.agents();
        p.lastHeardNanos = ticker.getAsLong();
        p.presumed = false;
        p.probing = false;
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
        return doubted;
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
        List<PeerState> live = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (started) {
                peers.values().stream().filter(p -> p.alive).forEach(live::add);
            }
        }
        sayGoodbye(live);
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A heartbeat came after {@link #close}: this instance is stopping and answers no peer. */
    public static final class StoppingException extends RuntimeException {
        StoppingException(String message) {
            super(message);
        }
    }

    /**
     * Tells the live peers that this instance leaves, and waits up to one interval (at most a second) for their
     * answers: they then count it out at once (see {@link #onHeartbeat}) instead of after the dead-after time, and its
     * agents find their new owners ready when it drops them. Best effort: a peer that does not hear it notices the
     * death as it would a crash.
     */
    private void sayGoodbye(List<PeerState> live) {
        if (live.isEmpty()) {
            return;
        }
        Heartbeat bye = heartbeat().leavingNow();
        List<CompletableFuture<Heartbeat>> answers = new ArrayList<>();
        for (PeerState p : live) {
            try {
                answers.add(transport.send(p.member.url(), bye));
            } catch (RuntimeException e) {
                // unreachable now: it will notice as after a crash
            }
        }
        try {
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                    .get(Math.min(1_000, interval.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // some did not answer: best effort
        }
        LOG.log(System.Logger.Level.DEBUG, () -> self.id() + ": said goodbye to " + live.size() + " peer(s)");
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
        /** Being probed after a {@link #suspect}; since when, and how many refusals in a row so far. */
        boolean probing;
        long suspectedSinceNanos;
        String suspicion = "";
        int refusals;
        /** Probes that found something accepting since the suspicion began. */
        int accepted;
        /** Counts suspicions: a probe answer of an earlier one (ended by a heartbeat, then suspected anew) is moot. */
        long round;
        /** When a probe last found something accepting at the peer's port (0: never). */
        long lastAcceptedNanos;
        /** The epoch of the life that said goodbye ({@link #left}); 0 when none did. */
        long leftEpoch;
        Map<String, Integer> agents = Map.of();

        PeerState(Member member) {
            this.member = member;
        }
    }
}
