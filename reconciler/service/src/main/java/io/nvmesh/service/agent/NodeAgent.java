package io.nvmesh.service.agent;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;

/**
 * The agent of one managed node. It dials an instance from its list, says hello, follows a redirect to the node's
 * owner, and once welcomed reports every interval. When the connection drops it redials with seeded exponential
 * backoff and jitter, trying the instances in turn; when the owner closes with {@link AgentProtocol#CLOSE_MOVED} it
 * goes to the new owner at once. When the owner's connection drops (a crash) or the owner stops answering pings (a
 * pause, a partition) it dials another instance at once; only the welcomed session's owner may command the node.
 *
 * <p>It owns no thread: network callbacks arrive on the {@link AgentRuntime}'s client threads, timers on the one
 * of its timer threads that this node keeps to. Every connection attempt has a generation number; callbacks of an older attempt are ignored, so a late
 * close of a replaced connection cannot disturb the current one.
 */
public final class NodeAgent {

    private static final System.Logger LOG = System.getLogger(NodeAgent.class.getName());

    private final AgentRuntime runtime;
    /** The runtime's timer this node's reports, pings and retries run on; always the same one. */
    private final ScheduledExecutorService timer;
    private final AgentSettings settings;
    private final ManagedNode node;
    private final SplittableRandom random;
    private final Backoff backoff;

    // All below guarded by this.
    private AgentStatus.State state = AgentStatus.State.STOPPED;
    private long generation;
    private Session session;
    private URI dialing;
    private URI redirectTo;
    /** The instance whose connection dropped under us (not a move): probably dead; avoided until a welcome. */
    private URI lost;
    /** Redirects to {@link #lost} not followed since the loss (or since it was last dialled anyway). */
    private int lostAvoided;
    /** Where the last welcome said the node goes if its owner leaves: dialled first when the owner's connection drops. */
    private URI successor;
    private int nextInstance;
    private int redirectsInRow;
    private ScheduledFuture<?> reports;
    private ScheduledFuture<?> retry;
    /** Pings while welcomed; gives the owner up after {@link AgentRuntime#SILENT_AFTER} without a word from it. */
    private ScheduledFuture<?> keepalive;
    /** A check at the moment the owner would be given up, sooner than the next periodic one. */
    private ScheduledFuture<?> giveUpCheck;
    private OwnerSilence silence;
    private long reportSeq;
    private String owner = "";
    private String ownerUrl = "";
    private int welcomes;
    private int redirects;
    private String lastClose = "";
    private String failure = "";

    private NodeAgent(AgentRuntime runtime, AgentSettings settings, ManagedNode node) {
        this.runtime = runtime;
        this.timer = runtime.timerFor(settings.nodeId());
        this.settings = settings;
        this.node = node;
        this.random = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L ^ settings.nodeId().hashCode());
        this.backoff = new Backoff(settings.backoffBase().toMillis(), settings.backoffMax().toMillis(), random);
        this.nextInstance = random.nextInt(settings.instances().size());
    }

    /** An agent that does nothing until {@link #start}. */
    public static NodeAgent create(AgentRuntime runtime, AgentSettings settings, ManagedNode node) {
        return new NodeAgent(runtime, settings, node);
    }

    public String nodeId() {
        return settings.nodeId();
    }

    public NodeKind kind() {
        return settings.kind();
    }

    /** Starts dialling (again) now. No effect when already running. */
    public void start() {
        start(Duration.ZERO);
    }

    /**
     * Starts dialling after a random delay within {@code spread}, so that a fleet started at once (or a rack powered
     * on together) does not dial in one burst. No effect when already running.
     */
    public synchronized void start(Duration spread) {
        if (state == AgentStatus.State.CONNECTING || state == AgentStatus.State.CONNECTED) {
            return;
        }
        state = AgentStatus.State.CONNECTING;
        failure = "";
        backoff.reset();
        redirectsInRow = 0;
        long window = spread.toMillis();
        scheduleDial(nextSeed(), window <= 0 ? 0 : random.nextLong(window + 1));
    }

    /** Says goodbye ({@link AgentProtocol#CLOSE_NORMAL}) and stays away until {@link #start}. */
    public synchronized void stop() {
        if (state == AgentStatus.State.CONNECTED) {
            runtime.journal.ended(settings.nodeId(), generation, owner, "agent stopping");
        }
        state = AgentStatus.State.STOPPED;
        generation++;
        cancelTimers();
        owner = "";
        ownerUrl = "";
        if (session != null) {
            session.close(AgentProtocol.CLOSE_NORMAL, "agent stopping", Callback.NOOP);
            session = null;
        }
    }

    /** Sends a report now (e.g. right after a drive failed) instead of waiting for the interval. */
    public void reportNow() {
        timer.execute(this::report);
    }

    public synchronized AgentStatus status() {
        return new AgentStatus(state, owner, ownerUrl, welcomes, redirects, lastClose, failure);
    }

    private URI nextSeed() {
        List<URI> all = settings.instances();
        URI u = all.get(nextInstance % all.size());
        nextInstance = (nextInstance + 1) % all.size();
        if (u.equals(lost) && all.size() > 1) {
            u = all.get(nextInstance % all.size());
            nextInstance = (nextInstance + 1) % all.size();
        }
        return u;
    }

    /** Called with the lock held. */
    private void scheduleDial(URI base, long delayMillis) {
        long gen = ++generation;
        if (retry != null) {
            retry.cancel(false);
        }
        retry = timer.schedule(() -> dial(gen, base), delayMillis, TimeUnit.MILLISECONDS);
    }

    private void dial(long gen, URI base) {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        if (!settings.token().isEmpty()) {
            request.setHeader("Authorization", "Bearer " + settings.token());
        }
        Connection connection = new Connection(gen);
        synchronized (this) {
            if (gen != generation || state != AgentStatus.State.CONNECTING) {
                return;
            }
            dialing = base;
            redirectTo = null;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> settings.nodeId() + ": dialling " + base);
        try {
            AgentRuntime.NodeIdentity identity = runtime.identity(settings.nodeId());
            if (identity != null) {
                request.tag(identity); // its own certificate, on connections of its own
            }
            runtime.client.connect(connection, AgentProtocol.endpointOf(base), request)
                    .whenComplete((s, failure) -> {
                        if (failure != null) {
                            connectFailed(gen, base, failure);
                        }
                    });
        } catch (Exception e) {
            connectFailed(gen, base, e);
        }
    }

    private synchronized void connectFailed(long gen, URI base, Throwable failure) {
        if (gen != generation || state != AgentStatus.State.CONNECTING) {
            return;
        }
        int status = upgradeStatus(failure);
        LOG.log(System.Logger.Level.DEBUG, () -> settings.nodeId() + ": cannot dial " + base + ": "
                + rootMessage(failure));
        lastClose = status > 0 ? "HTTP " + status : "unreachable " + base + ": " + rootMessage(failure);
        if (status > 0) {
            AgentRuntime.NodeIdentity identity = runtime.identity(settings.nodeId());
            if (identity != null) {
                runtime.forgetConnections(identity); // the next dial presents the certificate the files hold now
            }
        }
        if (status == 401 || status == 403) {
            LOG.log(System.Logger.Level.WARNING, () -> settings.nodeId() + ": " + base + " refused the agent credential (HTTP " + status + ")");
        }
        retryLater();
    }

    private static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " " + t.getMessage());
    }

    private static int upgradeStatus(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UpgradeException u) {
                return u.getResponseStatusCode();
            }
        }
        return -1;
    }

    /** Called with the lock held: back off, then try the next instance of the list. */
    private void retryLater() {
        redirectsInRow = 0;
        scheduleDial(nextSeed(), backoff.next());
    }

    private synchronized void opened(long gen, Session s) {
        if (gen != generation || state != AgentStatus.State.CONNECTING) {
            s.close(AgentProtocol.CLOSE_NORMAL, "superseded", Callback.NOOP);
            return;
        }
        session = s;
        send(s, new AgentMessage.Hello(settings.protocols(), settings.nodeId(), settings.kind(), node.labels(),
                node.drives()));
    }

    private void received(long gen, String text) {
        synchronized (this) {
            if (gen != generation) {
                return; // a session we gave up (silent owner): whatever it still says must not act
            }
            if (silence != null) {
                silence.heard(System.nanoTime());
            }
        }
        AgentMessage message;
        try {
            message = AgentCodec.decode(text);
        } catch (ProtocolException e) {
            synchronized (this) {
                if (gen == generation && session != null) {
                    session.close(AgentProtocol.CLOSE_PROTOCOL_ERROR, AgentProtocol.reason(e.getMessage()),
                            Callback.NOOP);
                }
            }
            return;
        }
        if (message instanceof AgentMessage.Welcome w) {
            welcomed(gen, w);
        } else if (message instanceof AgentMessage.Redirect r) {
            redirected(gen, r);
        } else if (message instanceof AgentMessage.Command c) {
            synchronized (this) {
                if (gen != generation || state != AgentStatus.State.CONNECTED) {
                    if (gen == generation) {
                        // The instance broke the protocol (a command before its welcome): the command is not applied
                        // and not acked, so say so rather than leave its owner waiting without a trace.
                        AgentStatus.State now = state;
                        LOG.log(System.Logger.Level.WARNING, () -> settings.nodeId() + ": command " + c.seq()
                                + " arrived while " + now.name().toLowerCase() + ", before a welcome; ignored");
                    }
                    return; // only the welcomed session's owner commands this node
                }
                runtime.journal.applying(settings.nodeId(), gen, owner, c.seq());
            }
            java.util.concurrent.CompletionStage<AgentMessage.Ack> applied;
            try {
                applied = node.applyLater(c);
            } catch (RuntimeException e) {
                applied = java.util.concurrent.CompletableFuture.failedFuture(e);
            }
            applied.whenComplete((ack, failure) -> {
                AgentMessage.Ack answer = failure == null ? ack
                        : AgentMessage.Ack.refused(c.seq(), failure.getMessage());
                synchronized (this) {
                    if (gen == generation && session != null) {
                        send(session, answer);
                    }
                }
            });
        }
        // hello, report and ack travel the other way; a confused peer's are ignored rather than fatal
    }

    private synchronized void welcomed(long gen, AgentMessage.Welcome w) {
        if (gen != generation || session == null) {
            return;
        }
        state = AgentStatus.State.CONNECTED;
        lost = null;
        lostAvoided = 0;
        owner = w.owner();
        ownerUrl = dialing.toString();
        successor = successorOf(w);
        welcomes++;
        redirectsInRow = 0;
        backoff.reset();
        if (reports != null) {
            reports.cancel(false);
        }
        reports = timer.scheduleAtFixedRate(this::report, 0, w.reportIntervalMillis(),
                TimeUnit.MILLISECONDS);
        silence = new OwnerSilence(runtime.pingEveryMillis * 1_000_000L, runtime.silentAfterNanos, System.nanoTime());
        if (keepalive != null) {
            keepalive.cancel(false);
        }
        // Looked at twice per ping interval, so a silent owner is given up at most half an interval late.
        long every = Math.max(1, runtime.pingEveryMillis / 2);
        keepalive = timer.scheduleAtFixedRate(() -> keepalive(gen), every, every, TimeUnit.MILLISECONDS);
        runtime.journal.welcomed(settings.nodeId(), gen, owner);
        LOG.log(System.Logger.Level.DEBUG, () -> settings.nodeId() + ": welcomed by " + w.owner());
    }

    /** The welcome's successor when it names a usable instance URL; anything else is ignored (it is only a hint). */
    private static URI successorOf(AgentMessage.Welcome w) {
        if (w.successorUrl() == null) {
            return null;
        }
        try {
            URI u = new URI(w.successorUrl());
            boolean web = "http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme());
            return web && u.getHost() != null ? u : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /**
     * Pings the owner when it has been quiet for a ping interval, and gives it up when quiet for longer than {@link
     * AgentRuntime#SILENT_AFTER} ({@link OwnerSilence}: time this check itself was late does not count, a starved agent
     * is not a silent owner; when the limit falls between two periodic checks, one more runs at that moment): a paused
     * or cut-off owner keeps the connection open and says nothing. The session is
     * dropped without a closing handshake (its socket closed, so nothing the owner sends later can reach this node)
     * and the agent dials another instance at once, which holds the hello until membership declares the owner dead.
     */
    private void keepalive(long gen) {
        Session s;
        boolean giveUp;
        synchronized (this) {
            if (gen != generation || session == null || state != AgentStatus.State.CONNECTED || silence == null) {
                return;
            }
            s = session;
            long now = System.nanoTime();
            OwnerSilence.Verdict verdict = silence.check(now);
            giveUp = verdict == OwnerSilence.Verdict.GIVE_UP;
            if (giveUp) {
                String was = owner;
                long quiet = silence.quietNanos(now);
                LOG.log(System.Logger.Level.INFO, () -> settings.nodeId() + ": " + was + " silent for "
                        + quiet / 1_000_000 + " ms; dialling another instance");
                closed(gen, 1006, "owner " + was + " silent for " + quiet / 1_000_000 + " ms");
            } else {
                // The periodic check comes every half ping interval; when the owner would be given up before the
                // next one, look exactly then instead (up to a quarter second sooner after a silent failure).
                long until = silence.untilGiveUpNanos(now);
                boolean pending = giveUpCheck != null && !giveUpCheck.isDone();
                if (until < runtime.pingEveryMillis * 1_000_000L / 2 && !pending) {
                    giveUpCheck = timer.schedule(() -> keepalive(gen), until, TimeUnit.NANOSECONDS);
                }
                if (verdict == OwnerSilence.Verdict.QUIET_ENOUGH) {
                    return;
                }
            }
        }
        if (giveUp) {
            s.disconnect();
        } else {
            s.sendPing(java.nio.ByteBuffer.allocate(0), Callback.NOOP);
        }
    }

    private synchronized void ponged(long gen) {
        if (gen == generation && silence != null) {
            silence.heard(System.nanoTime());
        }
    }

    private synchronized void redirected(long gen, AgentMessage.Redirect r) {
        if (gen != generation) {
            return;
        }
        redirects++;
        try {
            redirectTo = URI.create(r.url());
        } catch (IllegalArgumentException e) {
            redirectTo = null;
        }
    }

    private void report() {
        Session s;
        long seq;
        synchronized (this) {
            if (state != AgentStatus.State.CONNECTED || session == null) {
                return;
            }
            s = session;
            seq = ++reportSeq;
        }
        AgentMessage.Report report;
        try {
            report = new AgentMessage.Report(seq, node.health(), node.drives(), node.performance());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, settings.nodeId() + ": cannot build a report", e);
            return;
        }
        send(s, report);
    }

    private synchronized void closed(long gen, int code, String reason) {
        if (gen != generation) {
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> settings.nodeId() + ": closed " + code + " " + reason);
        session = null;
        cancelSessionTimers();
        boolean wasConnected = state == AgentStatus.State.CONNECTED;
        if (wasConnected) {
            runtime.journal.ended(settings.nodeId(), gen, owner, code + " " + reason);
        }
        owner = "";
        ownerUrl = "";
        lastClose = code + " " + (reason == null ? "" : reason);
        if (state == AgentStatus.State.STOPPED || state == AgentStatus.State.FAILED) {
            return;
        }
        if (wasConnected && code != AgentProtocol.CLOSE_MOVED) {
            lost = dialing;
            lostAvoided = 0;
        }
        state = AgentStatus.State.CONNECTING;
        if (code == AgentProtocol.CLOSE_UNSUPPORTED_VERSION || code == AgentProtocol.CLOSE_REPLACED
                || code == AgentProtocol.CLOSE_FORBIDDEN) {
            state = AgentStatus.State.FAILED;
            failure = reason;
            generation++;
            LOG.log(System.Logger.Level.WARNING, () -> settings.nodeId() + " gives up: " + reason);
            return;
        }
        Optional<URI> moved = code == AgentProtocol.CLOSE_MOVED ? AgentProtocol.movedTo(reason) : Optional.empty();
        URI next = moved.orElse(redirectTo);
        if (next != null && next.equals(lost) && lostAvoided < settings.maxRedirects()) {
            // Sent back to the instance we just lost: the others have not noticed its death yet. Dialling it would be
            // refused; ask another instance again shortly (once the owner is suspect, instances hold the hello until
            // the death is declared, so this costs a few attempts, not a growing backoff). Only a few times: an
            // instance that restarted before its peers noticed is named owner for good, and must be dialled.
            lostAvoided++;
            long base = settings.backoffBase().toMillis();
            scheduleDial(nextSeed(), 2 * base + random.nextLong(base + 1));
        } else if (next == null && wasConnected && code != AgentProtocol.CLOSE_MOVED) {
            // The owner's connection dropped under us (a crash closes it at once, a silent owner is given up): dial
            // another instance now, not after a backoff, the successor the welcome named first. It holds the hello
            // while it makes sure the owner is gone, then welcomes us or sends us to the new owner. A few
            // milliseconds of jitter spread the orphans.
            redirectsInRow = 0;
            URI first = successor != null && !successor.equals(lost) ? successor : nextSeed();
            successor = null; // once: if it fails too, the list is tried in turn
            scheduleDial(first, random.nextLong(Math.max(1, settings.backoffBase().toMillis() / 2)));
        } else if (next != null && redirectsInRow < settings.maxRedirects()) {
            redirectsInRow++;
            if (next.equals(lost)) {
                lostAvoided = 0; // dialled anyway: a refusal sends us round the others again, a welcome forgets it
            }
            if (moved.isPresent() && redirectTo == null) {
                redirects++;
            }
            // A move is followed at once, give or take a few milliseconds: when ownership changes, an instance moves
            // hundreds of agents in the same instant, and the new owner should not take them in one burst.
            scheduleDial(next, random.nextLong(Math.max(1, settings.backoffBase().toMillis() / 2)));
        } else {
            retryLater();
        }
    }

    private synchronized void cancelTimers() {
        cancelSessionTimers();
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
    }

    /** Called with the lock held: stops the reports and keepalive of the session that ended. */
    private void cancelSessionTimers() {
        if (reports != null) {
            reports.cancel(false);
            reports = null;
        }
        if (keepalive != null) {
            keepalive.cancel(false);
            keepalive = null;
        }
        if (giveUpCheck != null) {
            giveUpCheck.cancel(false);
            giveUpCheck = null;
        }
        silence = null;
    }

    private static void send(Session s, AgentMessage message) {
        s.sendText(AgentCodec.encode(message), Callback.NOOP);
    }

    /**
     * One connection attempt's listener; knows its generation. Public only because Jetty invokes listeners through
     * public method handles; nothing outside can make one.
     */
    public final class Connection implements Session.Listener.AutoDemanding {

        private final long gen;

        private Connection(long gen) {
            this.gen = gen;
        }

        @Override
        public void onWebSocketOpen(Session s) {
            opened(gen, s);
        }

        @Override
        public void onWebSocketText(String text) {
            received(gen, text);
        }

        @Override
        public void onWebSocketPong(java.nio.ByteBuffer payload) {
            ponged(gen);
        }

        @Override
        public void onWebSocketClose(int code, String reason) {
            closed(gen, code, reason);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // A close follows every error; the close decides what happens next.
        }
    }
}
