package io.nvmesh.service.agent;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * What many agents in one process share: one WebSocket client (one selector, one small thread pool) and one scheduler
 * thread for reports and retries. A thousand agents cost a thousand connections, not a thousand threads.
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
    final ScheduledExecutorService scheduler;
    final long pingEveryMillis;
    final long silentAfterNanos;
    volatile AgentJournal journal = AgentJournal.NONE;

    private AgentRuntime(WebSocketClient client, ScheduledExecutorService scheduler, Duration pingEvery,
                         Duration silentAfter) {
        this.client = client;
        this.scheduler = scheduler;
        this.pingEveryMillis = pingEvery.toMillis();
        this.silentAfterNanos = silentAfter.toNanos();
    }

    /** Every session of every agent on this runtime is told to {@code j} from now on. */
    public void journal(AgentJournal j) {
        this.journal = java.util.Objects.requireNonNull(j, "journal");
    }

    /** @param name used in thread names */
    public static AgentRuntime start(String name) {
        return start(name, PING_EVERY, SILENT_AFTER);
    }

    /**
     * @param pingEvery   a welcomed agent pings its owner after this long without a word from it
     * @param silentAfter and gives the owner up (dials another instance) after this long without one
     */
    public static AgentRuntime start(String name, Duration pingEvery, Duration silentAfter) {
        if (pingEvery.toMillis() < 1 || silentAfter.compareTo(pingEvery) <= 0) {
            throw new IllegalArgumentException("need 1 ms <= pingEvery < silentAfter, got " + pingEvery + ", "
                    + silentAfter);
        }
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("nvmesh-agents-" + name);
        threads.setDaemon(true);
        HttpClient http = new HttpClient();
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
        AtomicInteger n = new AtomicInteger();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nvmesh-agents-" + name + "-timer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        return new AgentRuntime(client, scheduler, pingEvery, silentAfter);
    }

    /** Stops the timer and closes every connection without a goodbye. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
            client.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // best effort
        }
    }
}
