package io.nvmesh.cli.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.service.ClusterExtension;
import io.nvmesh.service.TestAuth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code nvmesh watch} against three real instances: events raised on one instance, watched through another. */
class WatchCommandTest {

    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @RegisterExtension
    final ClusterExtension cluster = ClusterExtension.of(3);

    private Cli.Background watch(String... args) {
        Cli.Background w = new Cli.Background(args);
        await().atMost(BOUND).until(() -> w.errSoFar().contains("watching") || w.result.isDone());
        return w;
    }

    private void awaitInterest(String on, String topic) {
        await().atMost(BOUND).until(() -> cluster.nodes().stream().filter(n -> !n.id().equals(on))
                .allMatch(n -> n.events().peerWants(on, topic)));
    }

    @Test
    void printsEventsRaisedOnAnotherInstanceThenAResetWhenResumingFromBeforeTheBuffer() {
        Cli.Background w = watch("watch", "volume/db-01", "--server", cluster.url("r1"), "--token",
                TestAuth.READ, "--count", "2", "--timeout", "60s");
        awaitInterest("r1", "volume/db-01");

        cluster.node("r3").events().publish("volume/db-01", "status", Map.of("volume", "db-01", "status",
                "pending", "reason", "no room"));
        cluster.node("r3").events().publish("volume/db-01", "status", Map.of("volume", "db-01", "status",
                "online", "reason", ""));

        Cli done = w.result.join();
        assertThat(done.exitCode()).as(done.err()).isZero();
        List<String> lines = done.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("\\d\\d:\\d\\d:\\d\\d volume/db-01 status \\{.*\\}")
                .contains("\"status\":\"pending\"", "\"reason\":\"no room\"");
        assertThat(lines.get(1)).contains("\"status\":\"online\"");

        // r1 still buffers the topic (interest lingers); sequence 5 is long gone, so the watch is told so.
        Cli behind = Cli.run("watch", "volume/db-01", "--since", "5", "--server", cluster.url("r1"), "--token",
                TestAuth.READ, "--timeout", "2s");
        assertThat(behind.exitCode()).as(behind.err()).isZero();
        assertThat(behind.out()).contains("volume/db-01 was reset (behind", "volume/db-01 snapshot (none");
    }

    @Test
    void jsonIsOneEventPerLineAsTheServerSentIt() {
        Cli.Background w = watch("watch", "drive/*", "-o", "json", "--server", cluster.url("r2"), "--token",
                TestAuth.READ, "--count", "2", "--timeout", "60s");
        awaitInterest("r2", "drive/S-1");

        cluster.node("r1").events().publish("drive/S-1", "health", Map.of("serial", "S-1", "health", "failed"));
        cluster.node("r3").events().publish("drive/S-2", "health", Map.of("serial", "S-2", "health", "missing"));

        Cli done = w.result.join();
        assertThat(done.exitCode()).as(done.err()).isZero();
        assertThat(done.out().lines()).hasSize(2).allMatch(l -> l.startsWith("{\"topic\":\"drive/S-"))
                .anyMatch(l -> l.contains("\"type\":\"health\"") && l.contains("\"origin\":\"r1\"")
                        && l.contains("\"payload\":{") && l.contains("\"seq\":"));
    }

    @Test
    void reconnectsToTheNextServerAndResumesAfterTheLastEvent() {
        Cli.Background w = watch("watch", "volume/moving", "--server", cluster.url("r1") + "," + cluster.url("r2"),
                "--token", TestAuth.READ, "--count", "2", "--timeout", "60s");
        awaitInterest("r1", "volume/moving");
        cluster.node("r3").events().publish("volume/moving", "status", Map.of("step", 1));
        await().atMost(BOUND).until(() -> w.outSoFar().contains("\"step\":1"));

        cluster.kill("r1");
        await().atMost(BOUND).until(() -> w.errSoFar().contains("reconnecting to " + cluster.url("r2")));
        awaitInterest("r2", "volume/moving");
        cluster.node("r3").events().publish("volume/moving", "status", Map.of("step", 2));

        Cli done = w.result.join();
        assertThat(done.exitCode()).as(done.err()).isZero();
        assertThat(done.out().lines()).hasSize(2);
        assertThat(done.out()).contains("\"step\":2");
    }

    @Test
    void aMalformedTopicIsTheServersOneLineProblem() {
        Cli r = Cli.run("watch", "volume/a*b", "--server", cluster.url("r1"), "--token", TestAuth.READ);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("error: not a topic filter: volume/a*b").doesNotContain("\n");
    }

    @Test
    void aRefusedTokenAndAMissingServerAreOneLineEach() {
        Cli refused = Cli.run("watch", "capacity", "--server", cluster.url("r1"), "--token", "wrong-token-0000000");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err().strip()).isEqualTo("error: the server refused the token (401): the bearer token "
                + "is not valid (unknown, revoked or expired)");

        String gone = cluster.url("r3");
        cluster.kill("r3");
        Cli unreachable = Cli.run("watch", "capacity", "--server", gone, "--token", TestAuth.READ);
        assertThat(unreachable.exitCode()).isEqualTo(1);
        assertThat(unreachable.err().strip()).startsWith("error: cannot reach nvmesh at " + gone)
                .doesNotContain("\n");
    }

    @Test
    void ctrlCStopsAWatchInItsOwnProcessWithExitZero() throws Exception {
        // A child inherits ignored signals, and the JVM does not handle a signal that was ignored when it started: a
        // build run as a background job of a shell without job control (SIGINT ignored) cannot test Ctrl-C at all.
        org.junit.jupiter.api.Assumptions.assumeFalse(sigintIgnored(),
                "SIGINT is ignored in this process (a background job?), so the watch process could not receive it");
        Path err = dir.resolve("watch.err");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.nvmesh.cli.Nvmesh", "watch", "volume/ctrl-c", "--server",
                cluster.url("r1"), "--token", TestAuth.READ)
                .redirectError(err.toFile()).redirectOutput(dir.resolve("watch.out").toFile()).start();
        try {
            await().atMost(BOUND).until(() -> java.nio.file.Files.readString(err).contains("watching volume/ctrl-c"));
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
            assertThat(kill.waitFor()).isZero();
            await().atMost(BOUND).until(() -> !p.isAlive());
            assertThat(p.exitValue()).as(java.nio.file.Files.readString(err)).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    /** Whether SIGINT is in this process's ignored set ({@code SigIgn} of {@code /proc/self/status}, Linux). */
    private static boolean sigintIgnored() throws java.io.IOException {
        Path status = Path.of("/proc/self/status");
        if (!java.nio.file.Files.exists(status)) {
            return false;
        }
        try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(status)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 0x2L) != 0;
                }
            }
        }
        return false;
    }

    @Test
    void printsTheCurrentStateFirstUnlessNoInitialIsAsked() {
        Cli text = Cli.run("watch", "capacity", "cluster", "--server", cluster.url("r2"), "--token", TestAuth.READ,
                "--timeout", "1s");
        assertThat(text.exitCode()).as(text.err()).isZero();
        List<String> lines = text.out().lines().toList();
        assertThat(lines.get(0)).matches("\\d\\d:\\d\\d:\\d\\d capacity totals \\(current\\) \\{.*\\}")
                .contains("\"cluster\":{");
        assertThat(lines.get(1)).startsWith(lines.get(1).substring(0, 9) + "cluster members (current) {")
                .contains("\"members\":[");

        Cli json = Cli.run("watch", "capacity", "-o", "json", "--server", cluster.url("r2"), "--token",
                TestAuth.READ, "--timeout", "1s");
        assertThat(json.out().lines().findFirst().orElseThrow())
                .startsWith("{\"topic\":\"capacity\",\"type\":\"totals\",\"initial\":true,\"payload\":{");

        Cli none = Cli.run("watch", "capacity", "--no-initial", "-o", "json", "--server", cluster.url("r2"),
                "--token", TestAuth.READ, "--timeout", "1s");
        assertThat(none.out()).doesNotContain("\"initial\":true");
    }

    @Test
    void countNotReachedBeforeTheTimeoutIsExitOne() {
        // A topic nothing raises: the service publishes `cluster` itself whenever membership or ownership moves.
        Cli r = Cli.run("watch", "volume/nobody-applied-this", "--server", cluster.url("r2"), "--token",
                TestAuth.READ, "--count", "1", "--timeout", "1s");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("timed out after 1s with 0 of 1 event(s)");
    }
}
