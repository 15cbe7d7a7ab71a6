package io.nvmesh.cli.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Child processes stopped together: on {@link #close} and from a JVM shutdown hook (Ctrl-C, SIGTERM), each gets
 * SIGTERM, then a bounded wait, then SIGKILL, so that no child outlives the command that started it.
 */
public final class ChildProcesses implements AutoCloseable {

    private static final long GRACE_MILLIS = 10_000;

    private final List<Process> children = new ArrayList<>();
    private final Thread hook = new Thread(this::stopAll, "nvmesh-stop-children");
    private boolean hooked;
    private volatile boolean stopping;
    private final List<Runnable> afterStop = new ArrayList<>();

    /** Starts {@code builder}'s process and stops it with the others. */
    public synchronized Process start(ProcessBuilder builder) {
        if (!hooked) {
            Runtime.getRuntime().addShutdownHook(hook);
            hooked = true;
        }
        try {
            Process p = builder.start();
            children.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + builder.command().get(0) + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code task} once every child has stopped (on {@link #close} or Ctrl-C), after the others added before. */
    public synchronized void afterStop(Runnable task) {
        afterStop.add(task);
    }

    public synchronized List<Process> all() {
        return List.copyOf(children);
    }

    /**
     * Whether the children are being stopped ({@link #close}, or the shutdown hook on Ctrl-C): an exit seen from now
     * on was asked for, not news. The hook runs while the command's own threads still do.
     */
    public boolean stopping() {
        return stopping;
    }

    private void stopAll() {
        stopping = true;
        List<Process> list;
        List<Runnable> then;
        synchronized (this) {
            list = List.copyOf(children);
            then = List.copyOf(afterStop);
            afterStop.clear();
        }
        list.forEach(Process::destroy); // SIGTERM: the service's own hook stops it cleanly
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        for (Process p : list) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (Runnable r : then) {
            try {
                r.run();
            } catch (RuntimeException e) {
                System.err.println("error: " + e.getMessage());
            }
        }
    }

    /** Stops every child now and forgets the shutdown hook. */
    @Override
    public void close() {
        stopAll();
        synchronized (this) {
            if (hooked) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down: the hook is running or ran
                }
                hooked = false;
            }
        }
    }
}
