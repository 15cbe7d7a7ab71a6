package io.nvmesh.cli;

import io.nvmesh.cli.remote.ControlCharacters;
import io.nvmesh.cli.remote.EventFollower;
import io.nvmesh.cli.remote.EventLines;
import io.nvmesh.cli.remote.InitialState;
import io.nvmesh.cli.remote.ServerAddress;
import io.nvmesh.cli.remote.ServerClient;
import io.nvmesh.cli.remote.ServerException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What {@code nvmesh watch} does once its options are read: follows the topics' events through the instances given
 * (reconnecting as {@link EventFollower} does), prints the current state first when asked, and stops after a count of
 * events, on {@link #stop()} or when a time limit passes. A server that fails it throws {@link ServerException}.
 */
final class TopicWatch {

    enum Format { TEXT, JSON }

    private final List<ServerAddress> addresses;
    private final List<String> topics;
    private final Long since;
    private final boolean initial;
    private final Format format;
    private final Integer count;
    private final PrintWriter out;
    private final PrintWriter err;
    private final CompletableFuture<Boolean> stop = new CompletableFuture<>();
    private final AtomicInteger events = new AtomicInteger();

    /** Until the current state is printed, events are held back (guarded by {@code out}). */
    private final List<EventFollower.Item> held = new ArrayList<>();
    private boolean live;

    /**
     * @param since print the events after this sequence first (every topic), or {@code null}
     * @param initial print the current state first
     * @param count stop after this many events (the current state does not count), or {@code null}
     */
    TopicWatch(List<ServerAddress> addresses, List<String> topics, Long since, boolean initial, Format format,
            Integer count, PrintWriter out, PrintWriter err) {
        this.addresses = List.copyOf(addresses);
        this.topics = List.copyOf(topics);
        this.since = since;
        this.initial = initial;
        this.format = format;
        this.count = count;
        this.out = out;
        this.err = err;
        this.live = !initial;
    }

    /** How a watch ended: the events printed, and whether the time limit ended it. */
    record Outcome(int events, boolean timedOut) {
    }

    /** Stops the watch (Ctrl-C): {@link #run} returns. */
    void stop() {
        stop.complete(true);
    }

    /** Watches until stopped, {@code count} events printed, or {@code limit} (none when {@code null}) passed. */
    Outcome run(Duration limit) throws InterruptedException {
        // Subscribing first and reading the state second leaves no gap; an event the state already shows is printed
        // again after it, which is harmless.
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        EventFollower follower = EventFollower.start(addresses, topics, since, new EventFollower.Listener() {
            @Override
            public void item(EventFollower.Item item) {
                synchronized (out) {
                    if (!live) {
                        held.add(item);
                        return;
                    }
                }
                print(item);
            }

            @Override
            public void note(String line) {
                if (line.startsWith("watching ")) {
                    subscribed.complete(null);
                }
                synchronized (err) {
                    err.println(ControlCharacters.escape(line));
                    err.flush();
                }
            }
        });
        follower.done().whenComplete((v, failure) -> {
            if (failure != null) {
                stop.completeExceptionally(failure);
            }
        });
        try {
            if (initial) {
                printInitial(follower, subscribed);
            }
            if (limit == null) {
                stop.get();
            } else {
                stop.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            }
            return new Outcome(events.get(), false);
        } catch (TimeoutException e) {
            return new Outcome(events.get(), true);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ServerException s) {
                throw s;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            follower.close();
        }
    }

    /** Prints one item unless stopped; counts events (not resets, not the current state) towards {@code count}. */
    private void print(EventFollower.Item item) {
        synchronized (out) {
            if (stop.isDone()) {
                return;
            }
            if (format == Format.JSON) {
                out.println(ControlCharacters.escape(EventLines.json(item)));
            } else {
                EventLines.text(item, LocalTime.now()).forEach(l -> out.println(ControlCharacters.escape(l)));
            }
            out.flush();
        }
        if (!item.reset() && !item.initial() && count != null && events.incrementAndGet() >= count) {
            stop.complete(true);
        }
    }

    /**
     * Once subscribed (or after a bound, or never when the follower gave up: its failure is reported as usual), reads
     * the current state from the first server that answers, prints it, then the events held meanwhile.
     */
    private void printInitial(EventFollower follower, CompletableFuture<Void> subscribed)
            throws InterruptedException {
        try {
            CompletableFuture.anyOf(subscribed, follower.done()).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return; // the follower failed; run reports why
        } catch (TimeoutException e) {
            // Not subscribed yet (reconnecting): the state read now is still the one to start from.
        }
        List<EventFollower.Item> now = null;
        ServerException failure = null;
        for (ServerAddress a : addresses) {
            try {
                now = InitialState.read(new ServerClient(a), topics);
                break;
            } catch (ServerException e) {
                failure = e;
            }
        }
        if (now == null) {
            throw failure;
        }
        now.forEach(this::print);
        synchronized (out) {
            held.forEach(this::print);
            held.clear();
            live = true;
        }
    }
}
