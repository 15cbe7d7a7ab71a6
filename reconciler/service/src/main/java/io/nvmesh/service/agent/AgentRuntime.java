package io.nvmesh.service.agent;

import io.nvmesh.core.certs.ReloadingClientContext;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ssl.SslClientConnectionFactory;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * What many agents in one process share: one WebSocket client (one selector, one small thread pool) and a few timer
 * threads for reports, pings and retries: at most one per core, each started when the first agent that keeps to it is
 * made (a host's single agent starts one). A thousand agents cost a thousand connections, not a thousand
 * threads. Each agent keeps to one timer ({@link #timerFor}), so its own tasks run in the order they were scheduled as
 * before; agents on different timers no longer wait for each other. With one timer for a whole simulated fleet, the
 * checks of a hundred agents ran a second late while that thread handled the other agents' reconnections after a
 * failover, and those agents gave up their silent owner a second late.
 *
 * <p>Over TLS ({@link AgentTls}), a node with a certificate of its own dials with a {@link NodeIdentity} as the
 * request's tag: Jetty keeps a separate destination (connection pool) per tag and lets the tag replace the TLS layer
 * of its connections, so the node's connections carry its own certificate and TLS sessions of their own, on the same
 * selector and threads as everyone else's. Sessions of one node can never be resumed by another.
 */
public final class AgentRuntime implements AutoCloseable {

    /**
     * How often a welcomed agent pings its owner when it has heard nothing else, and how long a silence makes it give
     * the owner up. A crashed owner's connection closes at once; a paused or cut-off one stays open and silent, and
     * only this notices it (instances answer pings by themselves, Jetty sends the pong). Longer than the instances'
     * dead-after (1.5 s): on a loaded machine pongs come late, and an agent that leaves a live owner costs a hold and
     * a move back (1.5 s gave up live owners by the hundred in the failover runner at a load average of 15).
     */
    public static final Duration PING_EVERY = Duration.ofMillis(500);
    public static final Duration SILENT_AFTER = Duration.ofMillis(2_000);

    final WebSocketClient client;
    /** One slot per core; a timer thread is started when the first node that keeps to it asks for it. */
    private final ScheduledExecutorService[] timers;
    private final String name;
    private boolean closed;
    private final AgentTls tls;
    private final Map<String, NodeIdentity> identities = new ConcurrentHashMap<>();
    final long pingEveryMillis;
    final long silentAfterNanos;
    volatile AgentJournal journal = AgentJournal.NONE;

    private AgentRuntime(String name, WebSocketClient client, int timerThreads, AgentTls tls, Duration pingEvery,
                         Duration silentAfter) {
        this.name = name;
        this.client = client;
        this.timers = new ScheduledExecutorService[Math.max(1, timerThreads)];
        this.tls = tls;
        this.pingEveryMillis = pingEvery.toMillis();
        this.silentAfterNanos = silentAfter.toNanos();
    }

    /** Every session of every agent on this runtime is told to {@code j} from now on. */
    public void journal(AgentJournal j) {
        this.journal = Objects.requireNonNull(j, "journal");
    }

    /** @param name used in thread names */
    public static AgentRuntime start(String name) {
        return start(name, AgentTls.NONE, PING_EVERY, SILENT_AFTER);
    }

    /**
     * @param name used in thread names
     * @param tls  the CA trusted for https instances and the certificates presented
     * @throws IllegalArgumentException naming a TLS file that does not read
     */
    public static AgentRuntime start(String name, AgentTls tls) {
        return start(name, tls, PING_EVERY, SILENT_AFTER);
    }

    /**
     * @param pingEvery   a welcomed agent pings its owner after this long without a word from it
     * @param silentAfter and gives the owner up (dials another instance) after this long without one
     */
    public static AgentRuntime start(String name, Duration pingEvery, Duration silentAfter) {
        return start(name, AgentTls.NONE, pingEvery, silentAfter);
    }

    /**
     * @param tls         the CA trusted for https instances and the certificates presented
     * @param pingEvery   a welcomed agent pings its owner after this long without a word from it
     * @param silentAfter and gives the owner up (dials another instance) after this long without one
     * @throws IllegalArgumentException naming a TLS file that does not read, or for timings out of order
     */
    public static AgentRuntime start(String name, AgentTls tls, Duration pingEvery, Duration silentAfter) {
        return start(name, tls, pingEvery, silentAfter, Runtime.getRuntime().availableProcessors());
    }

    /** As above with {@code timerThreads} timer threads (at least one) instead of one per core. */
    static AgentRuntime start(String name, AgentTls tls, Duration pingEvery, Duration silentAfter, int timerThreads) {
        if (pingEvery.toMillis() < 1 || silentAfter.compareTo(pingEvery) <= 0) {
            throw new IllegalArgumentException("need 1 ms <= pingEvery < silentAfter, got " + pingEvery + ", "
                    + silentAfter);
        }
        SslContextFactory.Client ssl = new SslContextFactory.Client();
        if (!tls.equals(AgentTls.NONE)) {
            ssl.setSslContext(ReloadingClientContext.of(tls.ca(), tls.certificate(), tls.key()));
        }
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("nvmesh-agents-" + name);
        threads.setDaemon(true);
        HttpClient http = new HttpClient();
        http.setSslContextFactory(ssl);
        http.setExecutor(threads);
        http.setName("nvmesh-agents-" + name);
        http.setConnectTimeout(2_000);
        // A whole fleet may dial one instance at once; Jetty's defaults (64 connections, 1,024 queued) would refuse.
        http.setMaxConnectionsPerDestination(512);
        http.setMaxRequestsQueuedPerDestination(1 << 16);
        WebSocketClient client = new WebSocketClient(http);
        client.setIdleTimeout(Duration.ofSeconds(30));
        client.setMaxTextMessageSize(1 << 20);
        client.setStopTimeout(250);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("the agents' WebSocket client did not start: " + e.getMessage(), e);
        }
        return new AgentRuntime(name, client, timerThreads, tls, pingEvery, silentAfter);
    }

    /** How many timer threads the agents may share (one per core unless told otherwise). */
    public int timers() {
        return timers.length;
    }

    /** How many of them have been started so far. */
    int timersStarted() {
        synchronized (timers) {
            return (int) Arrays.stream(timers).filter(Objects::nonNull).count();
        }
    }

    /**
     * The timer thread that runs every task of the node {@code nodeId}: always the same one for the same node, and
     * nodes spread evenly over all of them.
     */
    ScheduledExecutorService timerFor(String nodeId) {
        int i = Math.floorMod(spread(nodeId.hashCode()), timers.length);
        synchronized (timers) { // asked once per agent, when it is made
            if (timers[i] == null) {
                if (closed) {
                    throw new IllegalStateException("the agents' runtime " + name + " is closed");
                }
                String thread = "nvmesh-agents-" + name + "-timer-" + (i + 1);
                timers[i] = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, thread);
                    t.setDaemon(true);
                    return t;
                });
            }
            return timers[i];
        }
    }

    /** Mixes a string's hash so that names differing in their last characters (t-0001, t-0002) spread too. */
    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /**
     * The tag that makes {@code nodeId}'s connections present its own certificate, when the certificate folder holds
     * one for it; null otherwise (the runtime's certificate, if any, is presented).
     *
     * @throws IllegalArgumentException naming its files when they do not read
     */
    NodeIdentity identity(String nodeId) {
        NodeIdentity known = identities.get(nodeId);
        if (known != null) {
            return known;
        }
        Optional<Path[]> files = tls.ownFiles(nodeId);
        if (files.isEmpty()) {
            return null;
        }
        return identities.computeIfAbsent(nodeId, n -> NodeIdentity.start(n, client.getHttpClient(),
                ReloadingClientContext.of(tls.ca(), Optional.of(files.get()[0]), Optional.of(files.get()[1]))));
    }

    /**
     * Drops the connections of a node's own destination. A refused upgrade leaves its connection in the pool, and the
     * next dial would reuse it, with the certificate it was made with: after a rotation the node would be refused for
     * as long as that connection lives. A new connection looks at the certificate files first.
     */
    void forgetConnections(NodeIdentity identity) {
        HttpClient http = client.getHttpClient();
        for (Destination d : http.getDestinations()) {
            if (d.getOrigin().getTag() == identity) {
                http.removeDestination(d);
                if (d instanceof LifeCycle l) {
                    try {
                        l.stop();
                    } catch (Exception e) {
                        // best effort: it is out of the client's map already
                    }
                }
            }
        }
    }

    /**
     * One node's TLS: a started {@link SslContextFactory.Client} over a context of its own, put in place of the
     * shared one when Jetty builds a connection for a destination tagged with it. Equal to itself only, so each node
     * has its own destination.
     */
    static final class NodeIdentity implements ClientConnectionFactory.Decorator {

        private final String nodeId;
        private final HttpClient http;
        private final SslContextFactory.Client ssl;

        private NodeIdentity(String nodeId, HttpClient http, SslContextFactory.Client ssl) {
            this.nodeId = nodeId;
            this.http = http;
            this.ssl = ssl;
        }

        static NodeIdentity start(String nodeId, HttpClient http, SSLContext context) {
            SslContextFactory.Client ssl = new SslContextFactory.Client();
            ssl.setSslContext(context);
            try {
                ssl.start();
            } catch (Exception e) {
                throw new IllegalStateException(nodeId + ": TLS did not start: " + e.getMessage(), e);
            }
            return new NodeIdentity(nodeId, http, ssl);
        }

        @Override
        public ClientConnectionFactory apply(ClientConnectionFactory factory) {
            if (factory instanceof SslClientConnectionFactory shared) {
                return http.getClientConnector().newSslClientConnectionFactory(ssl, shared.getWrapped());
            }
            return factory; // plain http: nothing to present
        }

        void stop() {
            try {
                ssl.stop();
            } catch (Exception e) {
                // best effort
            }
        }

        @Override
        public String toString() {
            return "agent " + nodeId;
        }
    }

    /** Stops the timers and closes every connection without a goodbye. */
    @Override
    public void close() {
        List<ScheduledExecutorService> started;
        synchronized (timers) {
            closed = true;
            started = Arrays.stream(timers).filter(Objects::nonNull).toList();
        }
        started.forEach(ScheduledExecutorService::shutdownNow);
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            for (ScheduledExecutorService t : started) {
                t.awaitTermination(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            client.stop();
            identities.values().forEach(NodeIdentity::stop);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // best effort
        }
    }
}
