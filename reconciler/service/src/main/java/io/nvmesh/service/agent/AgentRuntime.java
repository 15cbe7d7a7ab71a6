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

    final WebSocketClient client;
    final ScheduledExecutorService scheduler;

    private AgentRuntime(WebSocketClient client, ScheduledExecutorService scheduler) {
        this.client = client;
        this.scheduler = scheduler;
    }

    /** @param name used in thread names */
    public static AgentRuntime start(String name) {
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
        return new AgentRuntime(client, scheduler);
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
