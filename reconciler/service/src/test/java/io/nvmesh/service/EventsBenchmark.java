package io.nvmesh.service;

import io.nvmesh.service.events.EventStats;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario runner (not a unit test). Three real instances on loopback; 2,000 real SSE connections
 * ({@code GET /v1/events}, read token, non-blocking line subscribers of {@code java.net.http}) spread over them, each
 * on its own topic {@code volume/v-<i>}; every event is raised on a different instance than its subscriber's, so it
 * crosses the peer HTTP path. Interleaved, as many events on topics nobody subscribed to. Measures publish → SSE
 * line latency and counts events that reached an instance without subscribers. Prints a table and writes it to the
 * file named by the first argument (default {@code reconciler/service/target/events-benchmark.txt}).
 */
public final class EventsBenchmark {

    private static final int SUBSCRIBERS = 2_000;
    private static final int ROUNDS = 5;
    private static final int RATE_PER_SECOND = 2_000;

    private EventsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "reconciler/service/target/events-benchmark.txt");
        Path dir = Files.createTempDirectory("nvmesh-events-bench");
        List<String[]> rows = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newFixedThreadPool(4, r -> {
                    Thread t = new Thread(r, "bench-sse");
                    t.setDaemon(true);
                    return t;
                })).build();
        try (TestCluster cluster = new TestCluster(3, Duration.ofMillis(200), 5, dir).startAll()) {
            List<String> ids = cluster.ids();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!cluster.running().stream().allMatch(n -> n.view().members().stream().allMatch(m -> m.alive()))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the cluster did not form");
                }
                LockSupport.parkNanos(1_000_000);
            }
            ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
            AtomicInteger connected = new AtomicInteger();
            AtomicLong wrong = new AtomicLong();
            long t = System.nanoTime();
            for (int i = 0; i < SUBSCRIBERS; i++) {
                String topic = "volume/v-" + i;
                URI uri = URI.create(cluster.url(ids.get(i % 3)) + "/v1/events?topic=" + topic);
                HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TestCluster.READ)
                        .GET().build();
                http.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(new Lines(topic, latencies,
                        connected, wrong)));
            }
            awaitCount(connected, SUBSCRIBERS, "SSE streams");
            // Every instance must route each topic to the subscriber's instance before we measure.
            for (int i = 0; i < SUBSCRIBERS; i++) {
                String owner = ids.get(i % 3);
                String topic = "volume/v-" + i;
                for (ReconcilerNode n : cluster.running()) {
                    while (!n.id().equals(owner) && !n.events().peerWants(owner, topic)) {
                        LockSupport.parkNanos(1_000_000);
                    }
                }
            }
            rows.add(row("SSE connections open, interest known everywhere", String.format(Locale.ROOT,
                    "%,d over 3 instances in %s", SUBSCRIBERS, ms(System.nanoTime() - t))));
            Map<String, EventStats> before = stats(cluster);

            long interval = TimeUnit.SECONDS.toNanos(1) / RATE_PER_SECOND;
            int total = 0;
            long start = System.nanoTime();
            for (int round = 0; round < ROUNDS; round++) {
                if (round == 1) { // the first round warms up the JIT and the connections
                    awaitSize(latencies, SUBSCRIBERS);
                    latencies.clear();
                    start = System.nanoTime() - (long) total * interval;
                }
                for (int i = 0; i < SUBSCRIBERS; i++) {
                    long due = start + (long) total * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait); // not a spin: the publisher must not take one of two cores
                    }
                    ReconcilerNode from = cluster.node(ids.get((i + 1 + round % 2) % 3));
                    from.events().publish("volume/v-" + i, "tick", Map.of("t", System.nanoTime()));
                    from.events().publish("volume/u-" + i, "tick", Map.of("t", System.nanoTime()));
                    total++;
                }
            }
            int expected = (ROUNDS - 1) * SUBSCRIBERS;
            awaitSize(latencies, expected);
            long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            Map<String, EventStats> after = stats(cluster);
            long messages = 0;
            long unwanted = 0;
            long sent = 0;
            for (String id : ids) {
                messages += after.get(id).eventMessages() - before.get(id).eventMessages();
                sent += after.get(id).eventsSent() - before.get(id).eventsSent();
                unwanted += after.get(id).unwanted() - before.get(id).unwanted();
            }
            rows.add(row("events raised", String.format(Locale.ROOT, "%,d on watched topics + %,d on unwatched"
                    + " topics, paced at %,d/s each, %d rounds (first is warm-up)", total, total, RATE_PER_SECOND,
                    ROUNDS)));
            rows.add(row("latency publish → SSE line (measured rounds, n = " + l.length + ")",
                    String.format(Locale.ROOT, "p50 %s, p99 %s, max %s", us(pct(l, 50)), us(pct(l, 99)),
                            us(l[l.length - 1]))));
            rows.add(row("peer messages / events carried", String.format(Locale.ROOT,
                    "%,d requests carrying %,d events (watched events only: each crosses once)", messages, sent)));
            rows.add(row("events that reached an instance without subscribers", unwanted + ""));
            rows.add(row("events delivered to the wrong stream", wrong.get() + ""));
        } finally {
            deleteTree(dir);
        }
        StringBuilder table = new StringBuilder("| measure | result |\n|---|---|\n");
        rows.forEach(r -> table.append("| ").append(r[0]).append(" | ").append(r[1]).append(" |\n"));
        System.out.print(table);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table.toString());
        System.exit(0);
    }

    /** Reads one SSE stream: a data line's payload carries the publisher's nanoTime. */
    private static final class Lines implements Flow.Subscriber<String> {
        private final String topic;
        private final ConcurrentLinkedQueue<Long> latencies;
        private final AtomicInteger connected;
        private final AtomicLong wrong;

        Lines(String topic, ConcurrentLinkedQueue<Long> latencies, AtomicInteger connected, AtomicLong wrong) {
            this.topic = topic;
            this.latencies = latencies;
            this.connected = connected;
            this.wrong = wrong;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            long now = System.nanoTime();
            if (line.startsWith(": subscribed")) {
                connected.incrementAndGet();
            } else if (line.startsWith("data: ")) {
                if (!line.contains("\"topic\":\"" + topic + "\"")) {
                    wrong.incrementAndGet();
                }
                int at = line.indexOf("\"t\":") + 4;
                int end = at;
                while (end < line.length() && Character.isDigit(line.charAt(end))) {
                    end++;
                }
                latencies.add(now - Long.parseLong(line.substring(at, end)));
            }
        }

        @Override
        public void onError(Throwable throwable) {
        }

        @Override
        public void onComplete() {
        }
    }

    private static Map<String, EventStats> stats(TestCluster cluster) {
        Map<String, EventStats> m = new java.util.HashMap<>();
        cluster.running().forEach(n -> m.put(n.id(), n.events().stats()));
        return m;
    }

    private static void awaitCount(AtomicInteger n, int want, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (n.get() < want) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": " + n.get() + " of " + want);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static void awaitSize(ConcurrentLinkedQueue<Long> q, int want) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (q.size() < want) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("events received: " + q.size() + " of " + want);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static String us(long nanos) {
        return nanos >= 1_000_000 ? String.format(Locale.ROOT, "%.1f ms", nanos / 1e6)
                : String.format(Locale.ROOT, "%d µs", nanos / 1_000);
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    private static String[] row(String a, String b) {
        return new String[] {a, b};
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
