package io.nvmesh.service;

import io.nvmesh.service.auth.Caller;
import io.nvmesh.service.auth.CredentialSource;
import io.nvmesh.service.cluster.ClusterView;
import io.nvmesh.service.cluster.Member;
import io.nvmesh.service.cluster.Membership;
import io.nvmesh.service.cluster.OwnershipTable;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.counters.Counters;
import io.nvmesh.service.events.EventHub;
import io.nvmesh.service.feed.Feeds;
import io.nvmesh.service.audit.AuditLog;
import io.nvmesh.service.http.ApiServer;
import io.nvmesh.service.http.EventPayloads;
import io.nvmesh.service.http.JettyCounterTransport;
import io.nvmesh.service.http.JettyEventTransport;
import io.nvmesh.service.http.JettyHeartbeatTransport;
import io.nvmesh.service.metrics.InstanceMetrics;
import io.nvmesh.service.nodes.AgentHub;
import io.nvmesh.service.reconcile.ReconcileLoop;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One running reconciler instance: its HTTP server, its membership of the cluster and the ownership that follows
 * from it. Start one with {@link #start}; {@link #close} stops it (idempotent). Many can run in one JVM (tests bind
 * port 0).
 */
public final class ReconcilerNode implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ReconcilerNode.class.getName());

    private final InstanceConfig config;
    private final ApiServer server;
    private final JettyHeartbeatTransport transport;
    private final Membership membership;
    private final OwnershipTable ownership;
    private final AgentHub agents;
    private final Counters counters;
    private final Optional<ReconcileLoop> reconcile;
    private final EventHub events;
    private final Feeds feeds;
    private final ThreadPoolExecutor work;
    private final URI url;
    private final AutoCloseable polling;
    private final CountDownLatch closed = new CountDownLatch(1);

    private ReconcilerNode(InstanceConfig config, ApiServer server, JettyHeartbeatTransport transport,
                           Membership membership, OwnershipTable ownership, AgentHub agents, Counters counters,
                           Optional<ReconcileLoop> reconcile, EventHub events, Feeds feeds, ThreadPoolExecutor work,
                           URI url, AutoCloseable polling) {
        this.polling = polling;
        this.events = events;
        this.feeds = feeds;
        this.config = config;
        this.server = server;
        this.transport = transport;
        this.membership = membership;
        this.ownership = ownership;
        this.agents = agents;
        this.counters = counters;
        this.reconcile = reconcile;
        this.work = work;
        this.url = url;
    }

    /** How often the credentials file is looked at for changes (requests look too, at most every 250 ms). */
    static final Duration CREDENTIALS_POLL = Duration.ofSeconds(1);

    /**
     * Reads the credentials and checks that this instance's own token is its instance credential, so that a
     * mistake shows at start and not as peers refusing every heartbeat.
     *
     * @throws IllegalArgumentException saying what is wrong and how to fix it
     */
    static CredentialSource credentialsOf(InstanceConfig config) {
        CredentialSource credentials = CredentialSource.load(config.auth());
        String token = config.auth().token();
        if (!config.peers().isEmpty() || !token.isEmpty()) {
            Optional<Caller> self = token.isEmpty() ? Optional.empty() : credentials.authenticate(token);
            if (self.isEmpty() || !self.get().isInstance(config.id())) {
                throw new IllegalArgumentException("auth.token must be the token of an instance credential named "
                        + config.id() + " (" + self.map(c -> "it belongs to " + c).orElse("it is not in the credentials")
                        + "); create one with `nvmesh token create --role instance --name " + config.id()
                        + " --file CREDENTIALS`");
            }
        }
        return credentials;
    }

    /** Binds, starts serving and starts heartbeats. Its epoch is the current time in milliseconds. */
    public static ReconcilerNode start(InstanceConfig config) {
        return start(config, Clock.systemUTC());
    }

    static ReconcilerNode start(InstanceConfig config, Clock clock) {
        if (config.tls().isEmpty() && !config.insecure() && !InstanceConfig.isLoopback(config.listenHost())) {
            throw new IllegalArgumentException(config.id() + ": plain HTTP on " + config.listenHost() + " would send "
                    + "tokens and commands in clear; configure `tls:` (docs/security.md) or set `insecure: true`");
        }
        CredentialSource credentials = credentialsOf(config);
        ApiServer server = ApiServer.bind(config.listenHost(), config.listenPort(), config.id(), config.tls());
        OpenedParts opened = new OpenedParts();
        opened.add(server, server::close);
        try {
            return assemble(config, clock, credentials, server, opened);
        } catch (RuntimeException e) {
            opened.closeAll();
            throw e;
        }
    }

    /** Starts every part of the instance on a bound server, noting each in {@code opened}, and starts serving. */
    private static ReconcilerNode assemble(InstanceConfig config, Clock clock, CredentialSource credentials,
                                           ApiServer server, OpenedParts opened) {
        URI url = config.advertiseUrl().orElse(server.localUrl());
        Duration interval = config.heartbeatInterval();
        // Longer than an interval (a slow reply still counts), far shorter than the time to be declared dead.
        Duration timeout = Duration.ofMillis(Math.min(5_000, Math.max(250, 2 * interval.toMillis())));
        JettyHeartbeatTransport transport = JettyHeartbeatTransport.start(config.id(), config.auth().token(),
                timeout, config.maxClockSkew(), config.tls());
        opened.add(transport, transport::close);
        Membership membership = startMembership(config, clock, url, transport);
        opened.add(membership, membership::close);
        OwnershipTable ownership = OwnershipTable.following(membership, config.ownershipEpsilon());
        membership.digestFrom(() -> ownership.current().digest());
        Counters counters = startCounters(config, clock, membership, ownership, timeout);
        opened.add(counters, counters::close);
        ThreadPoolExecutor work = workExecutor(config.id());
        opened.add(work, work::shutdownNow);
        AgentHub agents = AgentHub.start(membership, ownership, AgentHub.DEFAULT_REPORT_INTERVAL,
                AgentHub.DEFAULT_BATCH_WINDOW);
        opened.add(agents, agents::close);
        membership.agentsFrom(agents::connectionCounts);
        Optional<ReconcileLoop> reconcile = config.gitRemote().isEmpty() ? Optional.empty()
                : Optional.of(ReconcileLoop.start(config, ownership, agents));
        reconcile.ifPresent(r -> opened.add(r, r::close));
        EventHub events = startEvents(config, membership, timeout);
        opened.add(events, events::close);
        reconcile.ifPresent(r -> announceStateHealth(r, events, config.id()));
        Feeds feeds = Feeds.start(membership, ownership, agents, counters, events, reconcile,
                () -> EventPayloads.capacity(counters), () -> EventPayloads.cluster(membership, ownership));
        opened.add(feeds, feeds::close);
        InstanceMetrics metrics = InstanceMetrics.register(config.id(), ownership, agents, counters, reconcile,
                events, Optional.of(credentials));
        credentials.addListener(() -> agents.closeRevoked(credentials::stillHolds));
        AutoCloseable polling = credentials.pollEvery(CREDENTIALS_POLL, config.id());
        opened.add(polling, polling);
        server.maxClockSkew(config.maxClockSkew());
        AuditLog audit = AuditLog.open(config.audit(), config.id());
        opened.add(audit, audit);
        server.guard(config.limits(), audit);
        server.start(credentials, config.auth().token(), membership, ownership, agents, counters, reconcile, events,
                metrics, work);
        membership.start();
        LOG.log(System.Logger.Level.INFO, () -> config.id() + " listening on " + url + " with "
                + config.peers().size() + " peer(s)");
        // Closed after the server, so that the last requests' lines are written.
        AutoCloseable afterServer = () -> {
            closeQuietly(polling);
            audit.close();
        };
        return new ReconcilerNode(config, server, transport, membership, ownership, agents, counters, reconcile,
                events, feeds, work, url, afterServer);
    }

    /** Membership of the configured peers, with the start-up grace, not started yet. */
    private static Membership startMembership(InstanceConfig config, Clock clock, URI url,
                                              JettyHeartbeatTransport transport) {
        Membership membership = Membership.create(new Member(config.id(), url), clock.millis(), config.peers(),
                config.heartbeatInterval(), config.missedHeartbeats(), transport, System::nanoTime);
        Duration grace = startupGrace(config);
        if (!grace.isZero()) {
            membership.presumePeersLive(grace); // no ownership churn while a cluster starts
        }
        return membership;
    }

    /** Everyone watching the cluster hears at once that writes stopped (and when they resume). */
    private static void announceStateHealth(ReconcileLoop reconcile, EventHub events, String id) {
        reconcile.addStateHealthListener(why -> events.publish("cluster", why.isEmpty() ? "state-available"
                : "state-unavailable", why.isEmpty() ? Map.of("id", id) : Map.of("id", id, "reason", why)));
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // a timer's shutdown does not fail
            }
        }
    }

    /**
     * How long a configured peer that has not answered yet counts as live: ten heartbeat intervals, at least 10 s (and
     * at least the dead-after time). Long enough for members started together, even on a loaded machine where a JVM,
     * Jetty and the counter files take seconds; a shorter grace that runs out while peers are still starting turns
     * into exactly the churn it is meant to avoid (and, in {@code CountersClusterTest}, into counter handovers that
     * did not settle in time). It affects only peers not heard from since this instance started, never failover.
     * {@code cluster.startupGrace} in the configuration replaces it (0s: no grace).
     */
    public static Duration startupGrace(InstanceConfig config) {
        if (config.startupGrace().isPresent()) {
            return config.startupGrace().get();
        }
        Duration grace = Duration.ofSeconds(10);
        for (Duration d : List.of(config.heartbeatInterval().multipliedBy(config.missedHeartbeats()),
                config.heartbeatInterval().multipliedBy(10))) {
            grace = d.compareTo(grace) > 0 ? d : grace;
        }
        return grace;
    }

    /**
     * Opens the counters in {@code <dataDir>/counters}, replicates them to the live peers (pushes every 20 ms, digests
     * every heartbeat interval) and lets them follow ownership. They contribute nothing until the {@link Feeds} give
     * them a source of partition states (with a reconcile loop, once it has observed the recorded state).
     */
    private static Counters startCounters(InstanceConfig config, Clock clock, Membership membership,
                                          OwnershipTable ownership, Duration timeout) {
        Counters counters = Counters.open(config.dataDir().resolve("counters"), config.id(), clock.millis(),
                Counters.DEFAULT_MAX_ENTRIES, config.maxClockSkew());
        try {
            // Longer than a heartbeat's timeout: a repair pull may carry thousands of entries.
            JettyCounterTransport transport = JettyCounterTransport.start(config.id(), config.auth().token(),
                    timeout.plusSeconds(5), config.tls());
            counters.replicate(transport, () -> livePeerUrls(membership.view()), Duration.ofMillis(20),
                    config.heartbeatInterval());
            Counters c = counters;
            ownership.addListener(o -> c.ownershipChanged());
            counters.follow(ownership::current);
            return counters;
        } catch (RuntimeException e) {
            counters.close();
            throw e;
        }
    }

    /**
     * Events go only where someone subscribed; interest digests travel every heartbeat interval. The hub asks for the
     * live peers on every publish: it gets a map kept up to date by a membership listener, not {@code view()}, whose
     * lock heartbeats hold (on a loaded machine a publisher waited tens of milliseconds for it).
     */
    private static EventHub startEvents(InstanceConfig config, Membership membership, Duration timeout) {
        JettyEventTransport transport = JettyEventTransport.start(config.id(), config.auth().token(), timeout,
                config.tls());
        AtomicReference<Map<String, URI>> live = new AtomicReference<>(livePeerUrls(membership.view()));
        membership.addListener((previous, current) -> live.set(livePeerUrls(current)));
        live.set(livePeerUrls(membership.view())); // a change between the first read and the listener
        return EventHub.start(config.id(), membership.epoch(), EventHub.Settings.defaults(config.heartbeatInterval()),
                transport, live::get);
    }

    private static Map<String, URI> livePeerUrls(ClusterView view) {
        Map<String, URI> live = new HashMap<>();
        view.members().stream().filter(m -> !m.self() && m.alive()).forEach(m -> live.put(m.id(), m.url()));
        return Map.copyOf(live);
    }

    /** Blocking work of request handlers: bounded, so an overload is refused (503) rather than queued forever. */
    private static ThreadPoolExecutor workExecutor(String id) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
                r -> {
                    Thread t = new Thread(r, "nvmesh-work-" + id + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    public String id() {
        return config.id();
    }

    public InstanceConfig config() {
        return config;
    }

    /** The URL peers and clients reach this instance at. */
    public URI url() {
        return url;
    }

    public int port() {
        return server.port();
    }

    public Membership membership() {
        return membership;
    }

    /** Who owns what; feed it the known keys with {@link OwnershipTable#setKeys}. */
    public OwnershipTable ownership() {
        return ownership;
    }

    /** The node agents connected to this instance: their reports, commands to them, inventory changes. */
    public AgentHub agents() {
        return agents;
    }

    /** This instance's counters: feed them deltas with {@link Counters#apply}; read them anywhere. */
    public Counters counters() {
        return counters;
    }

    /** The reconcile loop, present when {@code git.remote} is configured. */
    public Optional<ReconcileLoop> reconcile() {
        return reconcile;
    }

    /** This instance's events: publish here (reconcile loop, agent hub); subscribers anywhere hear them. */
    public EventHub events() {
        return events;
    }

    /** What feeds the counters and publishes events here. */
    public Feeds feeds() {
        return feeds;
    }

    public ClusterView view() {
        return membership.view();
    }

    /** Waits until {@link #close} has finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /**
     * Stops heartbeats, then the HTTP server, then outgoing connections. No goodbye is sent: peers notice the
     * silence within their dead-after time, exactly as for a crash, so there is one failover path to trust.
     */
    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        synchronized (this) {
            if (closed.getCount() == 0) {
                return;
            }
            // The reconcile loop stops first (a pass in flight finishes or loses its race), then membership says
            // goodbye: the peers count this instance out at once and own its nodes and volumes before its agents are
            // dropped below, so those are welcomed by their new owners at once rather than held.
            reconcile.ifPresent(ReconcileLoop::close);
            membership.close();
            feeds.close();
            agents.close();
            server.close();
            transport.close();
            work.shutdownNow();
            counters.close();
            events.close();
            closeQuietly(polling);
            closed.countDown();
        }
        LOG.log(System.Logger.Level.INFO, () -> config.id() + " stopped");
    }
}
