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
 * Scenario runner (not a unit test). Three real instances on loopback; 2,000 real SSE connections (or as many as
 * {@code --subscribers N} after the first argument says; {@code GET /v1/events}, read token, non-blocking line subscribers of {@code java.net.http}) spread over them, each
 * on its own topic {@code volume/v-<i>}; every event is raised on a different instance than its subscriber's, so it
 * crosses the peer HTTP path. Interleaved, as many events on topics nobody subscribed to. Measures publish → SSE
 * line latency and counts events that reached an instance without subscribers. Prints a table and writes it to the
 * file named by the first argument (default {@code reconciler/service/target/events-benchmark.txt}).
 *
 * <p>The streams are read by a child JVM of their own ({@link Clients}), as real consumers would be: in one JVM, the
 * instances and the 2,000 client streams shared one heap, and that heap's collections (150-400 ms with the serial
 * collector) were most of the p99. {@code --one-jvm} as the second argument reads them in this JVM, as before. Latency
 * is by the host's wall clock in microseconds ({@link #wallMicros}), the one clock two JVMs share. {@code --tls}
 * (anywhere after the first argument) runs the instances with TLS and client certificates (https, peers presenting
 * their certificates to each other; the streams trust the cluster's CA and use the read token).
 */
public final class EventsBenchmark {

    static final int DEFAULT_SUBSCRIBERS = 2_000;
    private static final int ROUNDS = 5;
    private static final int RATE_PER_SECOND = 2_000;
    /** Streams one read credential holds per instance, under the 32 one may (StreamLimits). */
    private static final int STREAMS_PER_READER = 24;

    private EventsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "reconciler/service/target/events-benchmark.txt");
        List<String> flags = List.of(args).subList(Math.min(1, args.length), args.length);
        boolean oneJvm = flags.contains("--one-jvm");
        boolean tls = flags.contains("--tls");
        int subscribers = subscribers(flags);
        int readers = readers(subscribers);
        Path dir = Files.createTempDirectory("nvmesh-events-bench");
        // Thousands of streams: more read credentials than one, as one may hold 32 streams per instance.
        TestCluster configured = new TestCluster(3, Duration.ofMillis(200), 5, dir).withReaders(readers)
                .withConnectionsPerSource(Math.max(io.nvmesh.service.config.LimitsConfig.DEFAULTS.connectionsPerSource(),
                        subscribers + 100)); // every stream comes from loopback, one address
        if (tls) {
            configured.withTls(dir.resolve("pki"));
        }
        List<String[]> rows = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .sslContext(configured.clientContext())
                .executor(Executors.newFixedThreadPool(4, r -> {
                    Thread t = new Thread(r, "bench-sse");
                    t.setDaemon(true);
                    return t;
                })).build();
        try (TestCluster cluster = configured.startAll()) {
            List<String> ids = cluster.ids();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!cluster.running().stream().allMatch(n -> n.view().members().stream().allMatch(m -> m.alive()))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the cluster did not form");
                }
                LockSupport.parkNanos(1_000_000);
            }
            long[] before = heapAndThreads();
            long t = System.nanoTime();
            List<String> urls = ids.stream().map(id -> cluster.url(id).toString()).toList();
            Streams streams = oneJvm ? new Streams(http, urls, subscribers, readers) : null;
            ChildClients child = oneJvm ? null : ChildClients.start(urls, tls ? dir.resolve("pki/ca.pem") : null,
                    subscribers, readers);
            if (streams != null) {
                awaitCount(streams.connected, subscribers, "SSE streams", streams);
            } else {
                child.expect("connected");
            }
            // Every instance must route each topic to the subscriber's instance before we measure.
            for (int i = 0; i < subscribers; i++) {
                String owner = ids.get(i % 3);
                String topic = "volume/v-" + i;
                for (ReconcilerNode n : cluster.running()) {
                    while (!n.id().equals(owner) && !n.events().peerWants(owner, topic)) {
                        LockSupport.parkNanos(1_000_000);
                    }
                }
            }
            rows.add(row("SSE connections open, interest known everywhere", String.format(Locale.ROOT,
                    "%,d over 3 instances in %s", subscribers, ms(System.nanoTime() - t))));
            long[] open = heapAndThreads();
            rows.add(row("heap after GC / threads, the three instances' JVM, before → with the streams open",
                    String.format(Locale.ROOT, "%,d → %,d MB (%.1f KB per stream) / %d → %d threads",
                            before[0] >> 20, open[0] >> 20, (open[0] - before[0]) / 1024.0 / subscribers, before[1],
                            open[1])));
            Map<String, EventStats> statsBefore = stats(cluster);

            long interval = TimeUnit.SECONDS.toNanos(1) / RATE_PER_SECOND;
            int total = 0;
            long start = System.nanoTime();
            for (int round = 0; round < ROUNDS; round++) {
                if (round == 1) { // the first round warms up the JIT and the connections
                    if (streams != null) {
                        awaitCount(streams.warm, subscribers, "warm-up events", streams);
                    } else {
                        child.expect("warm");
                    }
                    start = System.nanoTime() - (long) total * interval;
                }
                for (int i = 0; i < subscribers; i++) {
                    long due = start + (long) total * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait); // not a spin: the publisher must not take one of two cores
                    }
                    ReconcilerNode from = cluster.node(ids.get((i + 1 + round % 2) % 3));
                    from.events().publish("volume/v-" + i, "tick", Map.of("r", round, "t", wallMicros()));
                    from.events().publish("volume/u-" + i, "tick", Map.of("r", round, "t", wallMicros()));
                    total++;
                }
            }
            int expected = (ROUNDS - 1) * subscribers;
            long[] l;
            long wrong;
            if (streams != null) {
                awaitSize(streams.latencies, expected);
                l = streams.latencies.stream().mapToLong(Long::longValue).sorted().toArray();
                wrong = streams.wrong.get();
            } else {
                String[] result = child.result(expected);
                l = java.util.Arrays.stream(result[0].split(",")).mapToLong(Long::parseLong).toArray();
                wrong = Long.parseLong(result[1]);
            }
            Map<String, EventStats> after = stats(cluster);
            long messages = 0;
            long unwanted = 0;
            long sent = 0;
            for (String id : ids) {
                messages += after.get(id).eventMessages() - statsBefore.get(id).eventMessages();
                sent += after.get(id).eventsSent() - statsBefore.get(id).eventsSent();
                unwanted += after.get(id).unwanted() - statsBefore.get(id).unwanted();
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
            rows.add(row("events delivered to the wrong stream", wrong + ""));
            rows.add(row("transport", tls ? "TLS + client certificates between instances (https; streams trust the "
                    + "cluster's CA, read token)" : "plain http"));
            rows.add(row("client streams read by", oneJvm ? "the benchmark's own JVM (--one-jvm)"
                    : "a child JVM of their own"));
        } finally {
            ChildClients.stopAll();
            deleteTree(dir);
        }
        StringBuilder table = new StringBuilder("| measure | result |\n|---|---|\n");
        rows.forEach(r -> table.append("| ").append(r[0]).append(" | ").append(r[1]).append(" |\n"));
        System.out.print(table);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table.toString());
        System.exit(0);
    }

    /** {@code --subscribers N} among the flags (default 2,000): the number of SSE streams, one topic each. */
    static int subscribers(List<String> flags) {
        int at = flags.indexOf("--subscribers");
        if (at < 0) {
            return DEFAULT_SUBSCRIBERS;
        }
        if (at + 1 >= flags.size() || !flags.get(at + 1).matches("[1-9][0-9]{0,5}")) {
            throw new IllegalArgumentException("--subscribers takes a number of streams from 1 to 999999");
        }
        return Integer.parseInt(flags.get(at + 1));
    }

    /**
     * Read credentials for {@code subscribers} streams: subscriber i uses reader i mod n on instance i mod 3, so with n
     * not a multiple of 3 each reader holds about subscribers / n / 3 streams on each instance.
     */
    static int readers(int subscribers) {
        int n = Math.max(70, (subscribers + 3 * STREAMS_PER_READER - 1) / (3 * STREAMS_PER_READER));
        return n % 3 == 0 ? n + 1 : n;
    }

    /** Heap used after a full collection, and live threads, of this JVM (the three instances). */
    private static long[] heapAndThreads() {
        System.gc();
        java.lang.management.MemoryUsage heap = java.lang.management.ManagementFactory.getMemoryMXBean()
                .getHeapMemoryUsage();
        return new long[] {heap.getUsed(), java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount()};
    }

    /** The host's wall clock in microseconds: the clock the benchmark and its child JVM share. */
    static long wallMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** The SSE streams, subscriber i on instance i mod 3 with its own topic {@code volume/v-<i>}. */
    static final class Streams {
        final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        final AtomicInteger connected = new AtomicInteger();
        final AtomicInteger warm = new AtomicInteger();
        final AtomicLong wrong = new AtomicLong();
        /** Streams that failed or ended, with the first reasons: a stream that never opens is said, not waited for. */
        final AtomicInteger failed = new AtomicInteger();
        final ConcurrentLinkedQueue<String> reasons = new ConcurrentLinkedQueue<>();
        /** Opens in flight (a connection and, with TLS, a handshake each): at most this many at once. */
        private final java.util.concurrent.Semaphore opening = new java.util.concurrent.Semaphore(64);

        Streams(HttpClient http, List<String> urls, int subscribers, int readers) {
            for (int i = 0; i < subscribers; i++) {
                String topic = "volume/v-" + i;
                URI uri = URI.create(urls.get(i % urls.size()) + "/v1/events?topic=" + topic);
                HttpRequest request = HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + TestCluster.readerToken(i % readers)).GET().build();
                opening.acquireUninterruptibly();
                Lines lines = new Lines(topic, this);
                http.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(lines)).whenComplete((r, e) -> {
                    lines.opened();
                    failed.incrementAndGet();
                    if (reasons.size() < 5) {
                        reasons.add(topic + ": " + (e != null ? e : "ended with status " + r.statusCode()));
                    }
                });
            }
        }

        void opened() {
            opening.release();
        }

        String failures() {
            return failed.get() == 0 ? "" : "; " + failed.get() + " streams failed or ended, e.g. " + reasons;
        }
    }

    /** Reads one SSE stream: a data line's payload carries the round and the publisher's wall clock. */
    private static final class Lines implements Flow.Subscriber<String> {
        private final String topic;
        private final Streams streams;

        private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

        Lines(String topic, Streams streams) {
            this.topic = topic;
            this.streams = streams;
        }

        /** The stream is open (or failed): another may start opening. */
        void opened() {
            if (released.compareAndSet(false, true)) {
                streams.opened();
            }
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            long now = wallMicros();
            if (line.startsWith(": subscribed")) {
                opened();
                streams.connected.incrementAndGet();
            } else if (line.startsWith("data: ")) {
                if (!line.contains("\"topic\":\"" + topic + "\"")) {
                    streams.wrong.incrementAndGet();
                }
                if (number(line, "\"r\":") == 0) {
                    streams.warm.incrementAndGet();
                } else {
                    streams.latencies.add((now - number(line, "\"t\":")) * 1_000);
                }
            }
        }

        private static long number(String line, String field) {
            int at = line.indexOf(field) + field.length();
            int end = at;
            while (end < line.length() && Character.isDigit(line.charAt(end))) {
                end++;
            }
            return Long.parseLong(line.substring(at, end));
        }

        @Override
        public void onError(Throwable throwable) {
        }

        @Override
        public void onComplete() {
        }
    }

    /** The child JVM side: {@code Clients <url,url,url> subscribers readers [ca]}; says {@code connected}, {@code warm}, then the result. */
    public static final class Clients {
        private Clients() {
        }

        public static void main(String[] args) throws Exception {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .sslContext(args.length > 3 ? io.nvmesh.core.certs.PemFiles.clientContext(
                            java.util.Optional.of(Path.of(args[3])), java.util.Optional.empty(),
                            java.util.Optional.empty()) : javax.net.ssl.SSLContext.getDefault())
                    .executor(Executors.newFixedThreadPool(4, r -> {
                        Thread t = new Thread(r, "bench-sse");
                        t.setDaemon(true);
                        return t;
                    })).build();
            int subscribers = Integer.parseInt(args[1]);
            Streams streams = new Streams(http, List.of(args[0].split(",")), subscribers, Integer.parseInt(args[2]));
            awaitCount(streams.connected, subscribers, "SSE streams", streams);
            System.out.println("connected");
            awaitCount(streams.warm, subscribers, "warm-up events", streams);
            System.out.println("warm");
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                    java.nio.charset.StandardCharsets.UTF_8));
            int expected = Integer.parseInt(in.readLine().trim());
            awaitSize(streams.latencies, expected);
            long[] l = streams.latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            StringBuilder sb = new StringBuilder("result ");
            for (int i = 0; i < l.length; i++) {
                sb.append(i == 0 ? "" : ",").append(l[i]);
            }
            System.out.println(sb.append(' ').append(streams.wrong.get()));
            System.exit(0);
        }
    }

    /** The parent side of {@link Clients}: the same class path and Chronicle flags, its own small heap. */
    static final class ChildClients {
        private static final List<Process> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Process process;
        private final java.io.BufferedReader out;

        private ChildClients(Process process) {
            this.process = process;
            this.out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
        }

        static ChildClients start(List<String> urls, Path ca, int subscribers, int readers)
                throws java.io.IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:+AlwaysPreTouch", "-Xms256m", "-Xmx512m",
                    "-Dchronicle.analytics.disable=true", "-cp", System.getProperty("java.class.path"),
                    Clients.class.getName(), String.join(",", urls), subscribers + "", readers + ""));
            if (ca != null) {
                cmd.add(ca.toString());
            }
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            STARTED.add(p);
            return new ChildClients(p);
        }

        /** Waits for the child to say {@code word} (it prints nothing else before its result). */
        void expect(String word) throws java.io.IOException {
            String line = out.readLine();
            if (!word.equals(line)) {
                throw new IllegalStateException("the client JVM said " + line + ", expected " + word);
            }
        }

        /** Tells the child how many measured events to wait for; its sorted latencies (ns) and wrong deliveries. */
        String[] result(int expected) throws java.io.IOException {
            process.getOutputStream().write((expected + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            process.getOutputStream().flush();
            String line = out.readLine();
            if (line == null || !line.startsWith("result ")) {
                throw new IllegalStateException("the client JVM said " + line);
            }
            return line.substring("result ".length()).split(" ");
        }

        static void stopAll() {
            STARTED.forEach(Process::destroyForcibly);
        }
    }

    private static Map<String, EventStats> stats(TestCluster cluster) {
        Map<String, EventStats> m = new java.util.HashMap<>();
        cluster.running().forEach(n -> m.put(n.id(), n.events().stats()));
        return m;
    }

    private static void awaitCount(AtomicInteger n, int want, String what, Streams streams) {
        // 2,000 TLS handshakes on a loaded 2-core machine take minutes; opening them is not what is measured.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        while (n.get() < want) {
            if (System.nanoTime() > deadline || n.get() + streams.failed.get() >= want && streams.failed.get() > 0) {
                throw new IllegalStateException(what + ": " + n.get() + " of " + want + streams.failures());
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
