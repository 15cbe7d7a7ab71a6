package io.nvmesh.service.sim;

import io.nvmesh.service.agent.AgentMessage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * When the simulated targets' acks leave: after a delay (the time a real agent takes to set up a layout), or not until
 * released (a test holds them to see a volume {@code initializing} or {@code rebuilding}). Refusals leave at once.
 */
final class AckGate implements AutoCloseable {

    // Guarded by this.
    private long delayMillis;
    private boolean held;
    private final List<Runnable> waiting = new ArrayList<>();
    private ScheduledExecutorService timer;

    synchronized void delay(Duration d) {
        delayMillis = Math.max(0, d.toMillis());
    }

    synchronized void hold() {
        held = true;
    }

    /** Lets every held ack go (at once) and stops holding. */
    void release() {
        List<Runnable> go;
        synchronized (this) {
            held = false;
            go = new ArrayList<>(waiting);
            waiting.clear();
        }
        go.forEach(Runnable::run);
    }

    synchronized CompletionStage<AgentMessage.Ack> pass(AgentMessage.Ack ack) {
        if (!ack.ok()) {
            return CompletableFuture.completedFuture(ack);
        }
        CompletableFuture<AgentMessage.Ack> out = new CompletableFuture<>();
        if (held) {
            waiting.add(() -> out.complete(ack));
        } else if (delayMillis > 0) {
            if (timer == null) {
                timer = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "nvmesh-sim-acks");
                    t.setDaemon(true);
                    return t;
                });
            }
            timer.schedule(() -> out.complete(ack), delayMillis, TimeUnit.MILLISECONDS);
        } else {
            out.complete(ack);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
