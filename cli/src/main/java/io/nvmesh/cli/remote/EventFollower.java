package io.nvmesh.cli.remote;

import io.nvmesh.api.EventJson;
import io.nvmesh.api.ResetJson;

import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;

/**
 * Follows topics on a reconciler's event stream ({@code GET /v1/events}, Server-Sent Events) and hands each event and
 * reset to a listener, on a thread of its own. When the connection ends it reconnects, with backoff, to the next of
 * the given servers (the same one when only one was given), resuming after the last sequence it saw of each topic,
 * so nothing is missed while the server still holds it (and a reset says so when it does not). A silent connection
 * (no keepalive for three intervals) counts as lost.
 *
 * <p>Failures that reconnecting will not cure end it: a refused token (401/403), a malformed filter (400), and no
 * server answering on the first round. {@link #done} then completes with a {@link ServerException} whose message is
 * the one line to show.
 */
public final class EventFollower implements AutoCloseable {

    /**
     * An event ({@code reset} false) or a reset, as the server sent it; or, {@code initial}, the state of an object
     * when a watch began ({@link InitialState}).
     *
     * @param json an event as the server sent it (its fields as JSON values, unknown ones included), what {@code watch
     *             -o json} prints; for an initial state, the line printed for it
     */
    public record Item(boolean reset, String topic, String type, long seq, String origin, Object payload, long head,
                       String reason, Object snapshot, Object json, boolean initial) {
    }

    /** Called on the follower's thread; must be quick. */
    public interface Listener {
        void item(Item item);

        /** A line about the connection (connected, lost, reconnecting), for standard error. */
        default void note(String line) {
        }
    }

    /** A stream is asked to send a keepalive this often; three missed ones count as a lost connection. */
    static final Duration KEEPALIVE = Duration.ofSeconds(15);
    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final List<ServerAddress> servers;
    private final List<String> filters;
    private final Listener listener;
    private final Duration keepalive;
    private final HttpClient http;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Thread thread;
    /** Last sequence seen per topic, and per filter for the wildcard ones. Confined to the follower's thread. */
    private final Map<String, Long> last = new HashMap<>();
    private final AtomicReference<Flow.Subscription> current = new AtomicReference<>();
    private volatile boolean closed;
    private volatile long lastLineNanos;

    private EventFollower(List<ServerAddress> servers, List<String> filters, Long since, Duration keepalive,
                          Listener listener) {
        this.http = ServerClient.tlsBuilder(servers.get(0)).connectTimeout(Duration.ofSeconds(3)).build();
        this.servers = List.copyOf(servers);
        this.filters = List.copyOf(filters);
        this.listener = listener;
        this.keepalive = keepalive;
        if (since != null) {
            filters.forEach(f -> last.put(f, since));
        }
        this.thread = new Thread(this::run, "nvmesh-events");
        thread.setDaemon(true);
    }

    /**
     * Starts following.
     *
     * @param servers where to connect, tried in order; at least one
     * @param filters topics or {@code <kind>/*} filters; at least one
     * @param since   resume after this sequence on every filter (null: only new events)
     */
    public static EventFollower start(List<ServerAddress> servers, List<String> filters, Long since,
                                      Listener listener) {
        return start(servers, filters, since, KEEPALIVE, listener);
    }

    static EventFollower start(List<ServerAddress> servers, List<String> filters, Long since, Duration keepalive,
                               Listener listener) {
        if (servers.isEmpty() || filters.isEmpty()) {
            throw new IllegalArgumentException("a follower needs a server and a topic");
        }
        EventFollower f = new EventFollower(servers, filters, since, keepalive, Objects.requireNonNull(listener));
        f.thread.start();
        return f;
    }

    /** Completes normally after {@link #close}, exceptionally with a {@link ServerException} when it gave up. */
    public CompletableFuture<Void> done() {
        return done;
    }

    @Override
    public void close() {
        closed = true;
        Flow.Subscription s = current.get();
        if (s != null) {
            s.cancel();
        }
        thread.interrupt();
        done.complete(null);
    }

    private void run() {
        Duration backoff = FIRST_BACKOFF;
        boolean everConnected = false;
        int failuresThisRound = 0;
        int i = 0;
        while (!closed) {
            ServerAddress server = servers.get(i % servers.size());
            String outcome;
            try {
                outcome = follow(server);
                everConnected = true;
                failuresThisRound = 0;
                backoff = FIRST_BACKOFF;
            } catch (ServerException e) {
                done.completeExceptionally(e);
                return;
            } catch (Unreachable e) {
                outcome = e.getMessage();
                failuresThisRound++;
                if (!everConnected && failuresThisRound >= servers.size()) {
                    done.completeExceptionally(new ServerException(e.getMessage()));
                    return;
                }
            }
            if (closed) {
                break;
            }
            i++;
            ServerAddress next = servers.get(i % servers.size());
            long jittered = backoff.toMillis() / 2 + ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1);
            listener.note("connection to " + server.server() + " ended (" + outcome + "); reconnecting to "
                    + next.server() + " in " + jittered + " ms");
            try {
                TimeUnit.MILLISECONDS.sleep(jittered);
            } catch (InterruptedException e) {
                break;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
        done.complete(null);
    }

    /** A connection could not be made or was lost: worth another try elsewhere. */
    private static final class Unreachable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreachable(String message) {
            super(message);
        }
    }

    /** One connection, until it ends. Returns why it ended; throws when it could not start. */
    private String follow(ServerAddress server) throws Unreachable {
        URI uri = URI.create(server.server() + "/v1/events?" + query());
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Accept", "text/event-stream").GET();
        if (!server.token().isEmpty()) {
            b.header("Authorization", "Bearer " + server.token());
        }
        SseLines lines = new SseLines();
        lastLineNanos = System.nanoTime();
        CompletableFuture<HttpResponse<String>> response = http.sendAsync(b.build(), info ->
                info.statusCode() == 200
                        ? HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.fromLineSubscriber(lines),
                                v -> (String) null)
                        : HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8));
        HttpResponse<String> r;
        try {
            r = waitFor(response);
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (closed) {
                return "closed";
            }
            if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
                throw new Unreachable("cannot reach nvmesh at " + server.server() + " (connection refused); is it "
                        + "running? 'nvmesh demo' starts one, --server or NVMESH_SERVER names another");
            }
            if (lines.connected) {
                return "lost: " + describe(cause);
            }
            throw new Unreachable("cannot reach nvmesh at " + server.server() + ": " + describe(cause));
        }
        int status = r.statusCode();
        if (status == 401 || status == 403) {
            throw new ServerException("the server refused the token (" + status + "): "
                    + ServerClient.detail(bytes(r.body())) + (server.token().isEmpty()
                    ? "; pass --token or set NVMESH_TOKEN" : ""), status);
        }
        if (status == 400) {
            throw new ServerException(ServerClient.detail(bytes(r.body())), 400);
        }
        if (status != 200) {
            throw new Unreachable(server.server() + " answered " + status + " "
                    + ServerClient.detail(bytes(r.body())));
        }
        return closed ? "closed" : "the server closed the stream";
    }

    /** Waits for the stream to end, cancelling it when it has been silent for three keepalive intervals. */
    private HttpResponse<String> waitFor(CompletableFuture<HttpResponse<String>> response) {
        long silentLimit = keepalive.multipliedBy(3).toNanos();
        while (true) {
            try {
                return response.get(250, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (closed) {
                    cancel();
                    throw new CompletionException(new InterruptedException("closed"));
                }
                if (System.nanoTime() - lastLineNanos > silentLimit) {
                    cancel();
                    throw new CompletionException(new java.io.IOException("no keepalive for "
                            + keepalive.multipliedBy(3).toSeconds() + " s"));
                }
            } catch (InterruptedException e) {
                cancel();
                throw new CompletionException(e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new CompletionException(e.getCause());
            }
        }
    }

    private void cancel() {
        Flow.Subscription s = current.getAndSet(null);
        if (s != null) {
            s.cancel();
        }
    }

    private static byte[] bytes(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    private String query() {
        StringBuilder q = new StringBuilder();
        for (String f : filters) {
            q.append(q.isEmpty() ? "" : "&").append("topic=").append(URLEncoder.encode(f, StandardCharsets.UTF_8));
        }
        for (String f : filters) {
            Long n = last.get(f);
            if (n != null && n > 0) {
                q.append("&since=").append(URLEncoder.encode(f + ":" + n, StandardCharsets.UTF_8));
            }
        }
        return q.append("&keepalive=").append(keepalive.toSeconds()).toString();
    }

    /** Remembers where each filter stands, so a reconnect resumes after it. */
    private void seen(String topic, long seq) {
        for (String f : filters) {
            boolean match = f.equals(topic) || (f.endsWith("/*") && topic.startsWith(f.substring(0, f.length() - 1)));
            if (match) {
                last.merge(f, seq, Math::max);
            }
        }
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** Lines of one stream, grouped into SSE frames. */
    private final class SseLines implements Flow.Subscriber<String> {

        volatile boolean connected;
        private String name = "";
        private final List<String> data = new ArrayList<>();

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            current.set(subscription);
            if (closed) {
                subscription.cancel();
                return;
            }
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            lastLineNanos = System.nanoTime();
            if (line.isEmpty()) {
                dispatch();
            } else if (line.startsWith(":")) {
                if (line.startsWith(": subscribed") && !connected) {
                    connected = true;
                    listener.note("watching " + String.join(" ", filters));
                }
            } else if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data.add(line.substring(5).stripLeading());
            }
        }

        private void dispatch() {
            if (data.isEmpty()) {
                name = "";
                return;
            }
            String text = String.join("\n", data);
            boolean reset = name.equals("reset");
            data.clear();
            name = "";
            Map<String, Object> json; // as the server sent it: what watch -o json prints
            ResetJson r = null;
            EventJson e = null;
            try {
                json = ServerClient.JSON.readValue(text, JSON_OBJECT);
                if (json == null) {
                    return;
                }
                if (reset) {
                    r = ServerClient.ANSWERS.convertValue(json, ResetJson.class);
                } else {
                    e = ServerClient.ANSWERS.convertValue(json, EventJson.class);
                }
            } catch (JacksonException | IllegalArgumentException x) {
                return; // not ours to understand; consumers ignore what they do not know
            }
            if (r != null) {
                if (r.head() > 0) {
                    seen(r.topic(), r.head());
                }
                listener.item(new Item(true, r.topic(), "reset", 0, "", null, r.head(), r.reason(), r.snapshot(),
                        json, false));
            } else {
                seen(e.topic(), e.seq());
                listener.item(new Item(false, e.topic(), e.type(), e.seq(), e.origin(), e.payload(), 0, "", null,
                        json, false));
            }
        }

        @Override
        public void onError(Throwable throwable) {
            // The response future reports it.
        }

        @Override
        public void onComplete() {
            // The response future reports it.
        }
    }
}
