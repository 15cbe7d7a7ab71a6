package io.nvmesh.service.nodes;

import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.service.agent.AgentCodec;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.AgentProtocol;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.Performance;
import io.nvmesh.service.auth.Caller;
import io.nvmesh.service.cluster.ClusterView;
import io.nvmesh.service.cluster.MemberStatus;
import io.nvmesh.service.cluster.Membership;
import io.nvmesh.service.cluster.Ownership;
import io.nvmesh.service.cluster.OwnershipTable;
import io.nvmesh.service.cluster.Successors;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The agents of the nodes this instance owns.
 *
 * <p>A node is owned by the instance that {@link Ownership#ownerOrPreferred} names for its key ({@code target/<id>}
 * or {@code client/<id>}). Every instance computes the same answer from the same live members (and the same known
 * keys), so a hello to a non-owner gets a {@code redirect} to the owner. When ownership changes, connections of nodes
 * that moved away are closed with {@link AgentProtocol#CLOSE_MOVED} and the new owner's URL, and their reports are
 * dropped here: the new owner hears them from now on.
 *
 * <p>A hello whose owner has missed heartbeats (silent for more than 1.5 intervals) is held, not redirected, until
 * membership decides: the owner is most likely the instance the agent just lost, and sending it there would cost a
 * refused connection and a backoff. When the owner is declared dead the held agent is welcomed at once; if the owner
 * speaks again, or the hold outlasts the time to declare it dead, the agent is redirected as usual. A hello for a
 * node another live member owns also makes membership {@link Membership#suspect suspect} that member, and the hello
 * is held while the suspect is {@link Membership#inDoubt in doubt}: after a crash the orphans arrive before any
 * heartbeat is missed, and a refused connect to the owner's port ends its membership at once. When the doubt is lifted
 * (a probe accepted: the suspect is most likely live, and the agent came here after a redirect) the held hellos are
 * decided again at once.
 *
 * <p>Who does what: {@link AgentSession} checks the order of one connection's messages and hands them here; this hub
 * decides each hello (welcome, redirect or hold), keeps the registry of connected nodes, their latest reports and the
 * commands sent to them, and follows ownership; {@link DriveLedger} keeps which target holds which drive and turns
 * reports into inventory changes; {@link ChangeBatcher} batches those for the recorder. A welcome is sent before
 * the connection is visible to {@link #send}: an agent ignores a command that comes before its welcome.
 *
 * <p>State changes are quick, in memory and serialized on one lock; they run on the transport's threads. Timers
 * (hello timeouts, held hellos, change batches, ownership moves) run on the hub's one timer thread. The hub never
 * calls membership while holding its lock, because membership asks the hub for its counts while holding its own.
 */
public final class AgentHub implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AgentHub.class.getName());

    public static final Duration DEFAULT_REPORT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_BATCH_WINDOW = Duration.ofMillis(200);
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_BATCH = 2_000;

    private final String self;
    private final Membership membership;
    private final OwnershipTable ownership;
    private final Successors successors;
    private final long reportIntervalMillis;
    private final LongSupplier clock;
    private final ScheduledExecutorService timer;
    private final ChangeBatcher changes;
    private final AtomicLong commandSeq = new AtomicLong();
    // Read without the lock: membership asks for them while holding its own lock, and we must never wait on it.
    private final AtomicInteger targetLinks = new AtomicInteger();
    private final AtomicInteger clientLinks = new AtomicInteger();
    private final long suspectAfterMillis;
    private final long holdLimitMillis;
    private final long recheckMillis;

    // Guarded by this.
    private final Map<String, AgentSession> connections = new HashMap<>();
    private final Map<String, ReportedNode> nodes = new HashMap<>();
    private final List<BiConsumer<ReportedNode, ReportedNode>> nodeListeners = new CopyOnWriteArrayList<>();
    private final DriveLedger drives;
    private final Set<AgentSession> open = new HashSet<>();
    private final Set<AgentSession> held = new HashSet<>();
    private final Map<String, CommandState> commands = new HashMap<>();
    private final List<AckListener> ackListeners = new CopyOnWriteArrayList<>();
    private boolean closed;

    private AgentHub(String self, Membership membership, OwnershipTable ownership, Duration reportInterval,
                     Duration batchWindow, LongSupplier clock) {
        this.self = self;
        this.membership = membership;
        this.ownership = ownership;
        this.successors = new Successors(self);
        this.reportIntervalMillis = reportInterval.toMillis();
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nvmesh-agents-" + self);
            t.setDaemon(true);
            return t;
        });
        this.changes = new ChangeBatcher(self, batchWindow.toMillis(), MAX_BATCH, timer);
        long interval = membership.heartbeatInterval().toMillis();
        this.suspectAfterMillis = interval + interval / 2;
        this.holdLimitMillis = membership.deadAfter().toMillis() + 2 * interval;
        this.recheckMillis = Math.max(10, interval / 4);
        this.drives = new DriveLedger(nodes, changes, (previous, next) -> nodeListeners.forEach(l -> l.accept(previous,
                next)));
    }

    /**
     * A hub for this instance, following its ownership from now on.
     *
     * @param reportInterval what agents are told in {@code welcome}
     * @param batchWindow    how long inventory changes are collected before a batch is handed out
     */
    public static AgentHub start(Membership membership, OwnershipTable ownership, Duration reportInterval,
                                 Duration batchWindow) {
        if (reportInterval.toMillis() < 1 || batchWindow.toMillis() < 1) {
            throw new IllegalArgumentException("report interval and batch window must be at least 1 ms");
        }
        AgentHub hub = new AgentHub(membership.selfId(), membership, ownership, reportInterval, batchWindow,
                System::currentTimeMillis);
        ownership.addListener(own -> {
            try {
                hub.timer.execute(() -> hub.ownershipChanged(own));
            } catch (RejectedExecutionException e) {
                // closed: the connections end with the server
            }
        });
        // A suspect found accepting (or heard from) is most likely live: the hellos held for it are redirected to it
        // now, not at their next recheck.
        membership.addDoubtListener(peer -> {
            try {
                hub.timer.execute(hub::recheckHeld);
            } catch (RejectedExecutionException e) {
                // closed
            }
        });
        return hub;
    }

    /**
     * A new connection made with an agent credential; the transport feeds what happens on it to the returned
     * conversation. Its hello may name only a node the caller speaks for.
     */
    public AgentConversation accept(AgentLink link, Caller caller) {
        AgentSession c = new AgentSession(this, Objects.requireNonNull(link, "link"), Objects.requireNonNull(caller));
        synchronized (this) {
            open.add(c);
        }
        try {
            timer.schedule(c::helloTimeout, HELLO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            link.close(AgentProtocol.CLOSE_GOING_AWAY, "instance stopping");
        }
        return c;
    }

    /**
     * Sends a command to a node whose agent is connected here: segments to a target, attachments to a client.
     *
     * @return false when the node's agent is not connected to this instance (ask its owner)
     */
    public boolean send(String nodeId, AgentMessage.Command command) {
        AgentSession c;
        synchronized (this) {
            c = connections.get(NodeKind.TARGET.key(nodeId));
            if (c == null) {
                c = connections.get(NodeKind.CLIENT.key(nodeId));
            }
        }
        if (c == null) {
            return false;
        }
        NodeKind kind = c.hello.kind();
        if (kind == NodeKind.TARGET && !command.attachments().isEmpty()
                || kind == NodeKind.CLIENT && !command.segments().isEmpty()) {
            throw new IllegalArgumentException(nodeId + " is a " + kind.name().toLowerCase()
                    + "; targets take segments, clients attachments");
        }
        commandSeq.accumulateAndGet(command.seq(), Math::max);
        synchronized (this) {
            // Noted before sending: the ack may be handled on another thread before send() returns.
            commands.put(c.hello.key(), CommandState.sent(command.seq(), clock.getAsLong()));
            c.lastSent = command;
        }
        c.link.send(AgentCodec.encode(command));
        return true;
    }

    /** A command sequence number larger than any sent so far. */
    public long nextCommandSeq() {
        return commandSeq.incrementAndGet();
    }

    /** Connected agents by kind: {@code targets}, {@code clients}. */
    public Map<String, Integer> connectionCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("targets", targetLinks.get());
        counts.put("clients", clientLinks.get());
        return counts;
    }

    /** Called with the lock held, whenever {@code connections} gains or loses an entry. */
    private void counted(AgentSession c, int delta) {
        (c.hello.kind() == NodeKind.TARGET ? targetLinks : clientLinks).addAndGet(delta);
    }

    /** Ids of the nodes whose agents are connected here, sorted. */
    public synchronized List<String> connectedNodes() {
        List<String> ids = new ArrayList<>();
        connections.values().forEach(c -> ids.add(c.hello.nodeId()));
        ids.sort(null);
        return ids;
    }

    /** The last command sent to a node this instance owns and whether its agent acked it; empty if none was sent. */
    public synchronized Optional<CommandState> command(NodeKind kind, String id) {
        return Optional.ofNullable(commands.get(kind.key(id)));
    }

    /** The latest state of every target this instance owns and has heard from, sorted by id. */
    public List<ReportedNode> targets() {
        return nodes(NodeKind.TARGET);
    }

    public List<ReportedNode> clients() {
        return nodes(NodeKind.CLIENT);
    }

    public synchronized Optional<ReportedNode> target(String id) {
        return Optional.ofNullable(nodes.get(NodeKind.TARGET.key(id)));
    }

    private synchronized List<ReportedNode> nodes(NodeKind kind) {
        List<ReportedNode> out = new ArrayList<>();
        nodes.values().forEach(n -> {
            if (n.kind() == kind) {
                out.add(n);
            }
        });
        out.sort(Comparator.comparing(ReportedNode::id));
        return out;
    }

    /** Hears every batch of inventory changes, on the hub's timer thread; must be quick or hand off. */
    public void addInventoryListener(Consumer<InventoryChanges> listener) {
        changes.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /** An agent's answer to the last command this instance sent it on its current connection (that command). */
    @FunctionalInterface
    public interface AckListener {
        void acked(NodeKind kind, String nodeId, AgentMessage.Command command, boolean ok, String message);
    }

    /**
     * Hears every ack recorded by {@link #command} (acks of older commands are moot and not told), on the
     * connection's thread, outside the hub's lock; must be quick or hand off.
     */
    public void addAckListener(AckListener listener) {
        ackListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Hears every new word of a node owned here: {@code (previous, next)}, previous null for a node not heard from
     * before, on every hello, report and disconnection (most reports change nothing; the listener compares); next
     * null when the node moved to another owner and is forgotten here. Called with the hub's lock held, so it must be
     * quick and must not call the hub: hand off.
     */
    public void addNodeListener(BiConsumer<ReportedNode, ReportedNode> listener) {
        nodeListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Stops timers; connections end with the server. Pending changes are dropped (the new owner sees the nodes). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        timer.shutdownNow();
    }

    /**
     * Closes the connections whose credential no longer holds (revoked, expired, or narrowed to other nodes); called
     * after the credentials were reloaded.
     */
    public void closeRevoked(Predicate<Caller> stillHolds) {
        List<AgentSession> all;
        synchronized (this) {
            // Every open connection, also those not welcomed yet: one before its hello, one held while its owner is
            // suspect.
            all = new ArrayList<>(open);
        }
        for (AgentSession c : all) {
            if (!c.ended && !stillHolds.test(c.caller)) {
                LOG.log(System.Logger.Level.WARNING, "closing the connection of " + c.caller
                        + ": its credential was revoked or expired");
                c.link.close(AgentProtocol.CLOSE_UNAUTHORIZED, "credential revoked or expired");
            }
        }
    }

    // ---- session events, serialized on this hub ----

    /**
     * A hello on a connection whose credential speaks for its node: welcome it (the node is owned here), redirect it
     * to the owner, or hold it while the owner is suspect.
     */
    void hello(AgentSession c, AgentMessage.Hello hello) {
        Optional<Integer> version = hello.protocols().stream().filter(AgentProtocol.VERSIONS::contains)
                .max(Integer::compare);
        if (version.isEmpty()) {
            c.link.close(AgentProtocol.CLOSE_UNSUPPORTED_VERSION, AgentProtocol.reason("unsupported protocol: agent "
                    + "offers " + hello.protocols() + ", instance speaks " + AgentProtocol.VERSIONS));
            return;
        }
        String key = hello.key();
        // An agent of a node another live member owns dialled here: usually a plain redirect (a fresh start, a
        // move), but after a crash it is an orphan, the first sign that its owner is gone. Membership probes the
        // owner; a refused connect declares it dead within milliseconds instead of after the missed heartbeats.
        String likelyOwner = ownership.current().ownerOrPreferred(key);
        if (!likelyOwner.equals(self)) {
            membership.suspect(likelyOwner, "an agent of " + hello.nodeId() + " dialled here");
        }
        // Read before taking our lock: membership calls into this hub while holding its own.
        boolean probing = !likelyOwner.equals(self) && membership.inDoubt(likelyOwner);
        ClusterView view = membership.currentView();
        // Who takes the node if we die, named in the welcome; looked up before our lock, like the view.
        String successor = likelyOwner.equals(self)
                ? successors.of(ownership.current(), key).orElse(null) : null;
        URI successorUrl = successor == null ? null : urlIn(view, successor);
        String owner;
        AgentSession replaced = null;
        synchronized (this) {
            if (closed) {
                c.link.close(AgentProtocol.CLOSE_GOING_AWAY, "instance stopping");
                return;
            }
            if (c.ended) {
                return;
            }
            // Decided under the lock that ownershipChanged takes too: either we see the new owners here, or the
            // move that follows sees this connection.
            owner = ownership.current().ownerOrPreferred(key);
            // An owner the view already counts out (declared dead, or it said goodbye) while the ownership table,
            // recomputed one hop later on membership's thread, still names it: held too, and decided again when the
            // new owners are known, rather than sent to an instance that is gone.
            boolean gone = !owner.equals(self) && !alive(view, owner);
            if (!owner.equals(self) && (suspect(view, owner) || gone || probing && owner.equals(likelyOwner))
                    && holdable(c)) {
                LOG.log(System.Logger.Level.DEBUG, () -> self + ": holding " + hello.nodeId() + " (owner " + owner
                        + (gone ? " gone" : probing ? " probed" : " silent") + ")");
                hold(c, hello);
                return;
            }
            held.remove(c);
            if (owner.equals(self)) {
                replaced = welcome(c, hello, version.get(), successorUrl == null ? null : successor, successorUrl);
            }
        }
        if (!owner.equals(self)) {
            LOG.log(System.Logger.Level.DEBUG, () -> self + ": redirecting " + hello.nodeId() + " to " + owner);
            redirect(c, hello, owner);
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> self + ": welcomed " + hello.nodeId());
        if (replaced != null && replaced != c) {
            replaced.link.close(AgentProtocol.CLOSE_REPLACED, "replaced by a newer connection of " + hello.nodeId());
        }
    }

    /** Outside the lock (the owner's URL comes from membership): sends the agent to the node's owner. */
    private void redirect(AgentSession c, AgentMessage.Hello hello, String owner) {
        URI url = urlOf(owner);
        c.link.send(AgentCodec.encode(new AgentMessage.Redirect(hello.nodeId(), owner, url.toString())));
        c.link.close(AgentProtocol.CLOSE_MOVED, AgentProtocol.movedReason(owner, url));
    }

    /**
     * Called with the lock held: the owner has missed heartbeats, so it is probably what the agent just lost. Sending
     * the agent back there would cost it a refused connection and a backoff; holding the hello until membership
     * decides lets us welcome it the moment the owner is declared dead.
     */
    private void hold(AgentSession c, AgentMessage.Hello hello) {
        c.pending = hello;
        held.add(c);
        if (c.recheckScheduled) {
            return; // decided again before its timer (a death, a lifted doubt): the timer still comes
        }
        try {
            timer.schedule(() -> {
                synchronized (this) {
                    c.recheckScheduled = false;
                }
                recheck(c);
            }, recheckMillis, TimeUnit.MILLISECONDS);
            c.recheckScheduled = true;
        } catch (RejectedExecutionException e) {
            held.remove(c);
            c.link.close(AgentProtocol.CLOSE_GOING_AWAY, "instance stopping");
        }
    }

    /**
     * Called with the lock held: registers the connection as its node's and welcomes it.
     *
     * @return the connection it replaces, if any
     */
    private AgentSession welcome(AgentSession c, AgentMessage.Hello hello, int version, String successor,
                                 URI successorUrl) {
        String key = hello.key();
        c.hello = hello;
        AgentSession replaced = connections.put(key, c);
        counted(c, 1);
        if (replaced != null) {
            counted(replaced, -1);
        }
        long now = clock.getAsLong();
        commands.remove(key); // nothing sent on this connection yet
        ReportedNode previous = nodes.get(key);
        ReportedNode next = new ReportedNode(hello.nodeId(), hello.kind(), self, true, hello.labels(),
                TargetHealth.HEALTHY, drives.admit(key, hello.drives()), Performance.IDLE, now, now, 0);
        nodes.put(key, next);
        observe(previous, next);
        // Sent before the lock is let go: from then on send() finds this connection, and an agent ignores a command
        // that comes before its welcome (the node's first layout would be lost, never acked).
        c.link.send(AgentCodec.encode(new AgentMessage.Welcome(version, hello.nodeId(), self,
                reportIntervalMillis, successor, successorUrl == null ? null : successorUrl.toString())));
        return replaced;
    }

    /** Whether a live member has been silent for more than one and a half heartbeat intervals. */
    private boolean suspect(ClusterView view, String member) {
        for (MemberStatus m : view.members()) {
            if (m.id().equals(member)) {
                return !m.self() && m.alive() && m.silentForMillis() > suspectAfterMillis;
            }
        }
        return false;
    }

    /** Whether the view lists the member as live. */
    private static boolean alive(ClusterView view, String member) {
        return view.live().contains(member);
    }

    /** Called with the lock held: a hello may wait at most until the suspect would have been declared dead. */
    private boolean holdable(AgentSession c) {
        long now = System.nanoTime();
        if (c.heldSinceNanos == 0) {
            c.heldSinceNanos = now;
        }
        return now - c.heldSinceNanos < holdLimitMillis * 1_000_000;
    }

    /** On the timer thread: decide every held hello again. */
    private void recheckHeld() {
        List<AgentSession> waiting;
        synchronized (this) {
            waiting = new ArrayList<>(held);
        }
        waiting.forEach(this::recheck);
    }

    /** On the timer thread: decide a held hello again (welcome, redirect, or hold a little longer). */
    private void recheck(AgentSession c) {
        AgentMessage.Hello h;
        synchronized (this) {
            if (!held.contains(c)) {
                return;
            }
            h = c.pending;
        }
        hello(c, h);
    }

    synchronized void report(AgentSession c, AgentMessage.Report report) {
        String key = c.hello.key();
        if (closed || connections.get(key) != c) {
            return; // replaced, moved away, or stopping
        }
        ReportedNode previous = nodes.get(key);
        ReportedNode next = new ReportedNode(previous.id(), previous.kind(), self, true, previous.labels(),
                report.health(), c.hello.kind() == NodeKind.TARGET ? drives.admit(key, report.drives()) : List.of(),
                report.performance(), previous.connectedSinceMillis(), clock.getAsLong(), previous.reports() + 1);
        nodes.put(key, next);
        observe(previous, next);
    }

    /** Records the answer to the last command sent, if it is that command's (an older one's is moot). */
    synchronized AgentMessage.Command acked(AgentSession c, AgentMessage.Ack ack) {
        String key = c.hello.key();
        CommandState last = commands.get(key);
        if (closed || connections.get(key) != c || last == null || last.seq() != ack.seq()) {
            return null;
        }
        commands.put(key, last.ack(ack.ok(), ack.message(), clock.getAsLong()));
        return c.lastSent;
    }

    /** Tells the ack listeners, outside the lock. */
    void tellAck(NodeKind kind, String nodeId, AgentMessage.Command command, AgentMessage.Ack ack) {
        for (AckListener l : ackListeners) {
            l.acked(kind, nodeId, command, ack.ok(), ack.message());
        }
    }

    synchronized void disconnected(AgentSession c) {
        held.remove(c);
        open.remove(c);
        if (c.hello == null) {
            return;
        }
        String key = c.hello.key();
        if (!connections.remove(key, c)) {
            return; // replaced, or moved away (already dropped)
        }
        counted(c, -1);
        drives.disconnected(key);
        ReportedNode previous = nodes.get(key);
        if (previous != null && !closed) {
            ReportedNode next = previous.disconnected();
            nodes.put(key, next);
            observe(previous, next);
        }
    }

    /** On the timer thread: close the connections (and forget the reports) of nodes that moved to another owner. */
    private void ownershipChanged(Ownership own) {
        List<Map.Entry<AgentSession, String>> moving = new ArrayList<>();
        List<AgentSession> waiting;
        synchronized (this) {
            for (Map.Entry<String, AgentSession> e : new ArrayList<>(connections.entrySet())) {
                String owner = own.ownerOrPreferred(e.getKey());
                if (!owner.equals(self)) {
                    connections.remove(e.getKey());
                    counted(e.getValue(), -1);
                    moving.add(Map.entry(e.getValue(), owner));
                }
            }
            waiting = new ArrayList<>(held);
            for (Map.Entry<String, ReportedNode> e : new ArrayList<>(nodes.entrySet())) {
                if (!own.ownerOrPreferred(e.getKey()).equals(self)) {
                    nodes.remove(e.getKey());
                    nodeListeners.forEach(l -> l.accept(e.getValue(), null));
                }
            }
            commands.keySet().removeIf(key -> !nodes.containsKey(key));
            drives.retainKnownNodes();
        }
        for (Map.Entry<AgentSession, String> m : moving) {
            m.getKey().link.close(AgentProtocol.CLOSE_MOVED, AgentProtocol.movedReason(m.getValue(),
                    urlOf(m.getValue())));
        }
        if (!moving.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, () -> self + ": " + moving.size() + " node(s) moved to other owners");
        }
        waiting.forEach(this::recheck);
    }

    /** Called with the lock held: tells the node listeners, and batches what changed in the inventory. */
    private void observe(ReportedNode previous, ReportedNode next) {
        nodeListeners.forEach(l -> l.accept(previous, next));
        drives.observe(previous, next);
    }

    /** A member's URL as the view lists it; null when it is not there. */
    private static URI urlIn(ClusterView view, String member) {
        for (MemberStatus m : view.members()) {
            if (m.id().equals(member)) {
                return m.url();
            }
        }
        return null;
    }

    private URI urlOf(String member) {
        for (MemberStatus m : membership.view().members()) {
            if (m.id().equals(member)) {
                return m.url();
            }
        }
        throw new IllegalStateException("owner " + member + " is not a configured member");
    }
}
