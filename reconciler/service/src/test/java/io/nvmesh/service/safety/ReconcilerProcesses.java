package io.nvmesh.service.safety;

import static org.awaitility.Awaitility.await;

import io.nvmesh.core.testing.TestPorts;
import io.nvmesh.service.ReconcilerMain;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reconciler instances as real JVM processes ({@code ReconcilerMain --config FILE}, as {@code nvmesh reconciler}
 * starts one), on loopback, all on one Git repository. With {@code proxied}, each instance reaches each peer through
 * a {@link LoopbackProxy} of its own, so that chosen pairs can be cut apart. Every process and proxy is registered
 * with {@link Started}.
 */
final class ReconcilerProcesses {

    static final String ADMIN = io.nvmesh.service.TestAuth.ADMIN;
    static final String READ = io.nvmesh.service.TestAuth.READ;
    static final String AGENT = io.nvmesh.service.TestAuth.AGENT;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** C1 and the serial collector: three of these share two busy cores with the test (bench/failover.sh). */
    private static final List<String> CHILD_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xmx256m", "-Xss512k");

    /**
     * @param poll      the git poll interval (a pass at least this often)
     * @param heartbeat the heartbeat interval; a peer is dead after {@code missed} silent ones
     * @param proxied   whether peers are reached through a {@link LoopbackProxy} per ordered pair
     */
    record Settings(Duration poll, Duration heartbeat, int missed, boolean proxied) {

        Duration deadAfter() {
            return heartbeat.multipliedBy(missed);
        }
    }

    private final Path dir;
    private final String gitRemote;
    private final Settings settings;
    private final Started started;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    /** Keyed {@code from>to}: the proxy {@code from} reaches {@code to} through. */
    private final Map<String, LoopbackProxy> proxies = new LinkedHashMap<>();
    private final Map<String, Process> running = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ReconcilerProcesses(Path dir, String gitRemote, Settings settings, Started started) {
        this.dir = dir;
        this.gitRemote = gitRemote;
        this.settings = settings;
        this.started = started;
    }

    /** Starts {@code count} instances r1..rN and waits until each answers {@code /healthz} and sees all the others. */
    static ReconcilerProcesses start(Path dir, int count, String gitRemote, Settings settings, Started started)
            throws IOException {
        ReconcilerProcesses p = new ReconcilerProcesses(dir, gitRemote, settings, started);
        Iterator<Integer> free = TestPorts.next(count).iterator();
        for (int i = 1; i <= count; i++) {
            p.ports.put("r" + i, free.next());
        }
        if (settings.proxied()) {
            for (String from : p.ports.keySet()) {
                for (String to : p.ports.keySet()) {
                    if (!from.equals(to)) {
                        LoopbackProxy proxy = started.add(LoopbackProxy.start(from + ">" + to, p.ports.get(to)));
                        started.port(proxy.port());
                        p.proxies.put(from + ">" + to, proxy);
                    }
                }
            }
        }
        for (String id : p.ports.keySet()) {
            p.writeConfig(id);
        }
        for (String id : p.ports.keySet()) {
            p.launch(id);
        }
        p.awaitLive(p.ids(), Duration.ofSeconds(60));
        return p;
    }

    List<String> ids() {
        return List.copyOf(ports.keySet());
    }

    URI url(String id) {
        return URI.create("http://127.0.0.1:" + ports.get(id));
    }

    List<URI> urls() {
        return ports.keySet().stream().map(this::url).toList();
    }

    long pid(String id) {
        return running.get(id).pid();
    }

    Path log(String id) {
        return dir.resolve(id + ".log");
    }

    private void writeConfig(String id) throws IOException {
        StringBuilder y = new StringBuilder();
        y.append("id: ").append(id).append("\nlisten: 127.0.0.1:").append(ports.get(id))
                .append("\ndataDir: data/").append(id)
                .append("\ngit:\n  remote: ").append(gitRemote).append("\n  branch: main\n  pollInterval: ")
                .append(settings.poll().toMillis()).append("ms\npeers:\n");
        for (String other : ports.keySet()) {
            if (!other.equals(id)) {
                URI peer = settings.proxied() ? proxies.get(id + ">" + other).url() : url(other);
                y.append("  - id: ").append(other).append("\n    url: ").append(peer).append('\n');
            }
        }
        io.nvmesh.service.TestAuth.writeFiles(dir, ports.keySet());
        y.append(io.nvmesh.service.TestAuth.authYaml(id))
                .append("cluster:\n  heartbeatInterval: ").append(settings.heartbeat().toMillis())
                .append("ms\n  missedHeartbeats: ").append(settings.missed()).append('\n');
        Files.writeString(dir.resolve(id + ".yaml"), y.toString());
    }

    private void launch(String id) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The flags Chronicle Map needs, as the launcher passes them (Surefire gave them to this JVM).
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("-Dchronicle.")).forEach(cmd::add);
        cmd.addAll(CHILD_FLAGS);
        cmd.addAll(List.of("-cp", classPath(), ReconcilerMain.class.getName(), "--config",
                dir.resolve(id + ".yaml").toString()));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(id).toFile())).start();
        started.process(id, p, ports.get(id));
        running.put(id, p);
    }

    private static String classPath() {
        return Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    /** SIGKILL ({@link Process#destroyForcibly}): no goodbye, no shutdown hook, a commit in flight cut short. */
    void kill(String id) {
        Started.kill(running.get(id));
    }

    /**
     * Stops every instance with SIGTERM, as a service manager would (a pass in flight finishes or loses its race), and
     * SIGKILL after 10 s: a history checked afterwards is the whole history, with nothing written while it is read.
     */
    void stopAll() {
        running.values().forEach(Process::destroy);
        for (Process p : running.values()) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    Started.kill(p);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                Started.kill(p);
            }
        }
    }

    /**
     * {@code kill -STOP} / {@code kill -CONT}: a process that stops running without closing anything (a hung host, a
     * paused VM). Java has no such signal of its own.
     */
    void signal(String id, String sig) {
        try {
            Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(pid(id))).redirectErrorStream(true)
                    .start();
            String out = new String(k.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!k.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || k.exitValue() != 0) {
                throw new IllegalStateException("kill -" + sig + " " + pid(id) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A new process for the instance, with the same configuration, port and data folder. */
    void restart(String id) throws IOException {
        kill(id);
        launch(id);
    }

    boolean alive(String id) {
        return running.get(id).isAlive();
    }

    /** Waits until every instance in {@code ids} answers and sees exactly {@code ids} live. */
    void awaitLive(List<String> ids, Duration bound) {
        await("instances " + ids + " see exactly each other").atMost(bound).pollInterval(Duration.ofMillis(100))
                .until(() -> ids.stream().allMatch(id -> live(id).map(ids::equals).orElse(false)));
    }

    /** The live members {@code id} sees, if it answers. */
    Optional<List<String>> live(String id) {
        return json(id, "/v1/cluster").map(c -> {
            List<String> live = new ArrayList<>();
            c.get("live").forEach(n -> live.add(n.asString()));
            return live;
        });
    }

    /** Who {@code id} says places the volume now. */
    Optional<String> ownerOf(String id, String volume) {
        return json(id, "/v1/cluster/owner?key=volume/" + volume).map(o -> o.get("owner").asString());
    }

    /** {@code /readyz}: the status code and the reason (empty when ready); empty if the instance does not answer. */
    Optional<Readiness> readyz(String id) {
        return send(id, "GET", "/readyz", "").map(r -> {
            String reason = "";
            try {
                reason = JSON.readTree(r.body()).path("reason").asString("");
            } catch (RuntimeException e) {
                reason = r.body();
            }
            return new Readiness(r.statusCode(), reason);
        });
    }

    record Readiness(int status, String reason) {
        boolean ready() {
            return status == 200;
        }
    }

    /** A gauge without labels from {@code /metrics}. */
    OptionalDouble metric(String id, String name) {
        Optional<HttpResponse<String>> r = send(id, "GET", "/metrics", READ);
        if (r.isEmpty() || r.get().statusCode() != 200) {
            return OptionalDouble.empty();
        }
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? ([-0-9.eE+]+)$")
                .matcher(r.get().body());
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
    }

    /** {@code POST /v1/hooks/git}: a pass at once. */
    boolean hook(String id) {
        return send(id, "POST", "/v1/hooks/git", ADMIN).map(r -> r.statusCode() == 202).orElse(false);
    }

    Optional<JsonNode> json(String id, String path) {
        return send(id, "GET", path, READ).filter(r -> r.statusCode() == 200).map(r -> JSON.readTree(r.body()));
    }

    private Optional<HttpResponse<String>> send(String id, String method, String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url(id).resolve(path)).timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (!token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return Optional.of(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Whether the instance's reconcile thread ({@code nvmesh-reconcile-<id>}, {@code /proc} shows the first 15
     * characters) is on a CPU or waiting for one right now: a pass or an inventory write is in progress. Empty where
     * there is no {@code /proc}.
     */
    Optional<Boolean> reconcileThreadRunning(String id) {
        Path tasks = Path.of("/proc", Long.toString(pid(id)), "task");
        if (!Files.isDirectory(tasks)) {
            return Optional.empty();
        }
        try (Stream<Path> list = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) list::iterator) {
                try {
                    if (!Files.readString(task.resolve("comm")).startsWith("nvmesh-reconcil")) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    return Optional.of(stat.charAt(stat.lastIndexOf(')') + 2) == 'R');
                } catch (IOException e) {
                    // the thread ended while we looked
                }
            }
            return Optional.of(false);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    // ---- partitions ----------------------------------------------------------------------------------------

    /**
     * Cuts {@code id} off from every other instance, both ways: with {@link LoopbackProxy.Mode#BLACKHOLE} its
     * heartbeats and theirs go unanswered until they time out; with {@link LoopbackProxy.Mode#RESET} every connection
     * is refused at once, as if each side saw the other down.
     */
    void isolate(String id, LoopbackProxy.Mode how) {
        proxies.forEach((pair, proxy) -> {
            String[] ends = pair.split(">");
            if (ends[0].equals(id) || ends[1].equals(id)) {
                if (how == LoopbackProxy.Mode.RESET) {
                    proxy.reset();
                } else {
                    proxy.blackhole();
                }
            }
        });
    }

    /** Every pair can talk again. */
    void heal() {
        proxies.values().forEach(LoopbackProxy::forward);
    }
}
