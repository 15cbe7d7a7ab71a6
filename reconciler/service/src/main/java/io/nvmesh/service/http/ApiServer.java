package io.nvmesh.service.http;

import io.nvmesh.service.agent.AgentProtocol;
import io.nvmesh.service.audit.AuditLog;
import io.nvmesh.service.auth.CredentialSource;
import io.nvmesh.service.cluster.Membership;
import io.nvmesh.service.cluster.OwnershipTable;
import io.nvmesh.service.config.AuthConfig;
import io.nvmesh.service.config.LimitsConfig;
import io.nvmesh.service.nodes.AgentHub;
import io.nvmesh.service.counters.Counters;
import io.nvmesh.service.reconcile.ReconcileLoop;
import io.nvmesh.service.events.EventHub;
import io.nvmesh.service.metrics.InstanceMetrics;
import io.nvmesh.service.metrics.RefusalCounts;
import io.nvmesh.service.web.CapacityHistory;
import io.nvmesh.service.web.PerformanceHistory;
import io.nvmesh.service.web.StaticAssets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.DoSHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * The instance's HTTP server. It is bound first ({@link #bind}), so that an instance listening on port 0 knows its
 * URL before it introduces itself to peers, and started second, once the services behind the routes exist.
 */
public final class ApiServer implements AutoCloseable {

    /** Agents report every second or so; a connection silent this long belongs to a hung agent. */
    static final Duration AGENT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** A target with hundreds of drives and a full segment layout stays well below this. */
    static final long MAX_AGENT_MESSAGE_BYTES = 1 << 20;
    /**
     * Connections the kernel completes and queues before the acceptor takes them. The JVM's default, 50, overflowed
     * when a failover sent hundreds of orphans to a survivor at once: Linux drops the SYNs of a full queue, and the
     * agents waited a whole SYN retransmission (1 s, then 3 s) before their dial even reached the hub. Linux clamps it
     * to {@code net.core.somaxconn} (4,096 by default since kernel 5.4).
     */
    static final int ACCEPT_QUEUE = 4096;

    private final Server server;
    private final ServerConnector connector;
    private final String host;
    private final ServerTls tls;
    // The dashboard's parts, made by start and stopped by close.
    private PerformanceHistory history;
    private CapacityHistory capacityHistory;
    private DashboardEndpoints dashboard;
    private java.time.Duration maxClockSkew = io.nvmesh.service.config.InstanceConfig.DEFAULT_MAX_CLOCK_SKEW;
    private LimitsConfig limits = LimitsConfig.DEFAULTS;
    private AuditLog audit = AuditLog.discarding();

    private ApiServer(Server server, ServerConnector connector, String host, ServerTls tls) {
        this.server = server;
        this.connector = connector;
        this.host = host;
        this.tls = tls;
    }

    /**
     * Opens the listening socket.
     *
     * @param name used in thread names
     * @throws UncheckedIOException when the address cannot be bound (e.g. the port is taken)
     */
    public static ApiServer bind(String host, int port, String name) {
        return bind(host, port, name, Optional.empty());
    }

    /**
     * Opens the listening socket, speaking TLS when {@code tls} is given: one port for everything (API, dashboard,
     * events, metrics, peers, agents). The certificate files are looked at every second and reloaded when changed.
     *
     * @throws IllegalArgumentException naming a TLS file that does not read
     */
    public static ApiServer bind(String host, int port, String name, Optional<io.nvmesh.service.config.TlsConfig> tls) {
        ServerTls serverTls = tls.map(ServerTls::of).orElse(null);
        QueuedThreadPool threads = new QueuedThreadPool(32, 2);
        threads.setName("nvmesh-http-" + name);
        Server server = new Server(threads);
        // A stopping instance should go quickly: peers treat it as dead anyway, and idle keep-alive connections
        // would otherwise hold the stop for the whole timeout.
        server.setStopTimeout(250);
        ServerConnector connector;
        if (serverTls == null) {
            connector = new ServerConnector(server, 1, 1);
        } else {
            HttpConfiguration https = new HttpConfiguration();
            // Puts the session (and the client's verified chain) on each request. Clients reach instances by IP
            // address as often as by name; the certificate's SANs are checked by them, not against the Host header.
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            https.addCustomizer(secure);
            connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(serverTls.factory(), "http/1.1"),
                    new HttpConnectionFactory(https));
        }
        // Nothing tells a scanner which Jetty answers, and Jetty's own errors (bad URI, 414, 431) are problems too.
        HttpConfiguration http = connector.getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // Jetty's header cache matches values ignoring case: on a kept-alive connection, a bearer token differing only
        // in case from one sent before would be read as that one (HttpEdgesTest).
        http.setHeaderCacheCaseSensitive(true);
        server.setErrorHandler(new ProblemErrorHandler());
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(30_000);
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        server.addConnector(connector);
        try {
            connector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        if (serverTls != null) {
            serverTls.watch(name);
        }
        return new ApiServer(server, connector, host, serverTls);
    }

    /** How far ahead of this instance's clock a peer's heartbeat epoch may be; set before {@link #start}. */
    public void maxClockSkew(java.time.Duration skew) {
        this.maxClockSkew = skew;
    }

    /** Loads the TLS files again now if they changed (tests; the watcher does it every second). */
    boolean reloadTlsIfChanged() {
        return tls != null && tls.reloadIfChanged();
    }

    /**
     * The per-source limits and the audit log (which the caller closes, after this server); set before
     * {@link #start}. Without, the default limits hold and nothing is audited.
     */
    public void guard(LimitsConfig limits, AuditLog audit) {
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
        this.audit = java.util.Objects.requireNonNull(audit, "audit");
    }

    /** The port actually bound. */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://host:port} as bound (an IPv6 host in brackets; a wildcard address as the local host name). */
    public URI localUrl() {
        String h = host;
        if (h.equals("0.0.0.0") || h.equals("::")) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                h = "localhost";
            }
        }
        if (h.contains(":")) {
            h = "[" + h + "]";
        }
        return URI.create((tls == null ? "http://" : "https://") + h + ":" + port());
    }

    /**
     * Starts serving the routes of today.
     *
     * @param reconcile the reconcile loop, when the instance has a Git remote
     * @param work      where endpoints whose work may block or take long run (never on Jetty's threads)
     */
    public void start(AuthConfig auth, Membership membership, OwnershipTable ownership, AgentHub agents,
                      Counters counters, Optional<ReconcileLoop> reconcile, Executor work) {
        start(auth, membership, ownership, agents, counters, reconcile, null, work);
    }

    /** As above, plus the event stream and the peer event endpoints when {@code events} is not null. */
    public void start(AuthConfig auth, Membership membership, OwnershipTable ownership, AgentHub agents,
                      Counters counters, Optional<ReconcileLoop> reconcile, EventHub events, Executor work) {
        start(auth, membership, ownership, agents, counters, reconcile, events, null, work);
    }

    /** As above, plus {@code GET /metrics} for Prometheus when {@code metrics} is not null. */
    public void start(AuthConfig auth, Membership membership, OwnershipTable ownership, AgentHub agents,
                      Counters counters, Optional<ReconcileLoop> reconcile, EventHub events,
                      InstanceMetrics metrics, Executor work) {
        start(CredentialSource.load(auth), auth.token(), membership, ownership, agents, counters, reconcile, events,
                metrics, work);
    }

    /**
     * As above, with credentials that may be reloaded while serving.
     *
     * @param ownToken what this instance presents when it asks a peer (the dashboard's performance relay)
     */
    public void start(CredentialSource credentials, String ownToken, Membership membership, OwnershipTable ownership,
                      AgentHub agents, Counters counters, Optional<ReconcileLoop> reconcile, EventHub events,
                      InstanceMetrics metrics, Executor work) {
        RefusalCounts refusals = metrics == null ? new RefusalCounts() : metrics.refusals();
        Authenticator authenticator = new Authenticator(credentials, refusals, new AuditTrail(audit),
                Authenticator.failureLimit(limits));
        List<Route> routes = new ArrayList<>(new ClusterEndpoints(membership, ownership, reconcile, maxClockSkew,
                refusals).routes());
        routes.addAll(new NodeEndpoints(membership.selfId(), agents, ownership).routes());
        routes.addAll(new CounterEndpoints(counters, refusals).routes());
        routes.addAll(new VolumeEndpoints(membership.selfId(), reconcile).routes());
        history = PerformanceHistory.sampling(agents::targets, AgentHub.DEFAULT_REPORT_INTERVAL,
                PerformanceHistory.DEFAULT_CAPACITY, membership.selfId());
        capacityHistory = counters == null ? CapacityHistory.manual(1, CapacityHistory.DEFAULT_EVERY)
                : CapacityHistory.sampling(() -> counters.capacity(false), System::currentTimeMillis,
                        CapacityHistory.DEFAULT_EVERY, CapacityHistory.DEFAULT_CAPACITY, membership.selfId());
        dashboard = new DashboardEndpoints(membership, ownership, agents, reconcile, history, capacityHistory,
                AgentHub.DEFAULT_REPORT_INTERVAL, ownToken, tls == null ? Optional.empty() : Optional.of(tls.config()));
        routes.addAll(dashboard.routes());
        EventEndpoints eventEndpoints = events == null ? null : EventEndpoints.of(events, membership, maxClockSkew);
        if (eventEndpoints != null) {
            routes.addAll(eventEndpoints.routes());
            // A revoked or expired credential ends its open event streams too, not only its agent sessions.
            credentials.addListener(() -> eventEndpoints.closeRevoked(credentials::stillHolds));
        }
        ServerWebSocketContainer container = ServerWebSocketContainer.ensure(server);
        container.setIdleTimeout(AGENT_IDLE_TIMEOUT);
        container.setMaxTextMessageSize(MAX_AGENT_MESSAGE_BYTES);
        List<Router.WebSocketRoute> upgrades = List.of(new Router.WebSocketRoute(AgentProtocol.PATH, Access.AGENT,
                container, caller -> new AgentSocket(agents, caller, authenticator.trail())));
        Router router = new Router(routes, upgrades, authenticator, work);
        Handler limited = limitExpensive(router, refusals);
        Handler api = eventEndpoints == null ? limited : eventEndpoints.streams(limited, authenticator, container);
        Handler measured = metrics == null ? api : new MetricsEndpoint(api, metrics, authenticator, work);
        start(limitConnections(new AssetHandler(measured, StaticAssets.load()), refusals));
    }

    /** Jetty's leaky bucket per source address, on the routes the router calls expensive. */
    private Handler limitExpensive(Router router, RefusalCounts refusals) {
        DoSHandler limit = new DoSHandler(router, DoSHandler.ID_FROM_REMOTE_ADDRESS,
                // A request is let through while the bucket holds fewer than its size: one more makes the burst exact.
                new DoSHandler.LeakingBucketTrackerFactory(limits.expensivePerSecond(), limits.expensiveBurst() + 1,
                        null),
                new TooManyRequests("expensive", "more than " + limits.expensivePerSecond() + " requests per second "
                        + "to expensive endpoints from this address; slow down", 1, false, refusals), -1);
        limit.include(router::expensive);
        return limit;
    }

    private Handler limitConnections(Handler next, RefusalCounts refusals) {
        SourceConnectionLimit limit = new SourceConnectionLimit(next, limits.connectionsPerSource(),
                new TooManyRequests("connections", "more than " + limits.connectionsPerSource() + " connections "
                        + "open from this address; close some or reuse them", 1, true, refusals));
        // Not managed by the connector: the server starts and stops the handler; the connector only reports to it.
        connector.addBean(limit, false);
        return limit;
    }

    void start(Handler router) {
        server.setHandler(router);
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("the HTTP server did not start: " + e.getMessage(), e);
        }
    }

    /** Stops serving; requests in flight get up to 250 ms to finish. Idempotent. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // Stopping is best effort; the socket is closed either way.
        }
        connector.close();
        if (tls != null) {
            tls.close();
        }
        if (dashboard != null) {
            dashboard.close();
        }
        if (history != null) {
            history.close();
        }
        if (capacityHistory != null) {
            capacityHistory.close();
        }
    }
}
