package io.nvmesh.service.http;

import io.nvmesh.service.events.Subscription;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Drains one {@link Subscription} to one asynchronous writer (an SSE response or a WebSocket session) with at most one
 * write in flight: items queued meanwhile go in the next write. A write that completes inline does not recurse; the
 * loop in {@link #pump} carries on. Both event transports share it, so they pace, batch and stop alike.
 *
 * @param <C> what one write carries (a buffer of SSE text, one WebSocket frame)
 */
abstract class StreamPump<C> {

    /** The outcome of one asynchronous write. */
    interface Done {
        void succeeded();

        void failed(Throwable x);
    }

    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile Subscription subscription;
    private volatile boolean finished;
    private final Consumer<Throwable> onFinish;
    private final java.util.List<Runnable> finishedListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** @param onFinish called once, when a write failed or {@link #finish} was called */
    StreamPump(Consumer<Throwable> onFinish) {
        this.onFinish = onFinish;
    }

    /** The next write's content from the subscription's queued items, or null when nothing is queued. */
    abstract C collect(Subscription s);

    /** Starts an asynchronous write and reports its outcome to {@code done} (inline or later, on any thread). */
    abstract void write(C content, Done done);

    /** Writes {@code first} (headers and a greeting), then whatever the subscription queued meanwhile. */
    final void start(Subscription s, C first) {
        subscription = s;
        if (finished) {
            s.close();
            return;
        }
        if (send(first)) {
            pump();
        }
    }

    /** The subscription's ready callback. */
    final void signal() {
        pending.set(true);
        pump();
    }

    private void pump() {
        while (!finished) {
            if (!writing.compareAndSet(false, true)) {
                return;
            }
            pending.set(false);
            C content = collect(subscription);
            if (content == null) {
                writing.set(false);
                if (pending.get()) {
                    continue;
                }
                return;
            }
            if (!send(content)) {
                return;
            }
        }
    }

    /** Returns true when the write completed inline (the caller should carry on pumping). */
    private boolean send(C content) {
        AtomicInteger state = new AtomicInteger(); // 0 writing, 1 returned first, 2 completed first
        write(content, new Done() {
            @Override
            public void succeeded() {
                writing.set(false);
                if (!state.compareAndSet(0, 2)) {
                    pump();
                }
            }

            @Override
            public void failed(Throwable x) {
                finish(x);
            }
        });
        return !state.compareAndSet(0, 1);
    }

    /** Stops pumping and closes the subscription. Idempotent. */
    final void finish(Throwable x) {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
        }
        Subscription s = subscription;
        if (s != null) {
            s.close();
        }
        try {
            onFinish.accept(x);
        } finally {
            finishedListeners.forEach(Runnable::run);
        }
    }

    /** Runs {@code listener} once this stream finishes (at once if it has). */
    final void onFinished(Runnable listener) {
        finishedListeners.add(listener);
        if (finished && finishedListeners.remove(listener)) {
            listener.run();
        }
    }
}
