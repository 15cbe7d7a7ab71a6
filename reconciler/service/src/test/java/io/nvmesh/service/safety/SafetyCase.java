package io.nvmesh.service.safety;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What every safety test of this package starts from: a fresh folder and a {@link Started} for each test; after it,
 * everything the case started is closed in reverse order, whatever failed, and the test fails if a process or a port
 * is left. {@link #QUICK} is the timing the fault cases run with.
 *
 * <pre>{@code
 * @RegisterExtension
 * final SafetyCase safety = new SafetyCase();
 *
 * @Test
 * void survivorsTakeOver() throws Exception {
 *     Tally t = run(safety.dir(), safety.started(), Size.SMALL, 7);
 *     assertThat(t.verdict().violations()).isEmpty();
 * }
 * }</pre>
 */
final class SafetyCase implements BeforeEachCallback, AfterEachCallback {

    /** Poll every 150 ms, heartbeat every 200 ms, a peer dead after 3 silent ones; peers reached directly. */
    static final ReconcilerProcesses.Settings QUICK = new ReconcilerProcesses.Settings(Duration.ofMillis(150),
            Duration.ofMillis(200), 3, false);

    private Path dir;
    private Started started;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("nvmesh-safety-");
        started = new Started();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            started.close();
            assertThat(started.leftovers()).isEmpty();
        } finally {
            delete(dir);
        }
    }

    /** This test's folder (deleted after it). */
    Path dir() {
        return dir;
    }

    /** What this test starts, closed after it. */
    Started started() {
        return started;
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is not the test's failure
        }
    }
}
