package io.nvmesh.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.cli.process.ChildProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's supervision with real child processes: {@code sleep}s stand in for the reconcilers and the fleet, and are
 * killed with SIGKILL as a user would kill a reconciler.
 */
class DemoChildrenTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    @TempDir
    Path logs;

    private final ChildProcesses processes = new ChildProcesses();
    private final DemoChildren children = new DemoChildren(processes);
    private final Map<String, Process> started = new LinkedHashMap<>();

    @BeforeEach
    void startThreeReconcilersAndAFleet() {
        for (String id : List.of("r1", "r2", "r3")) {
            started.put(id, children.start(DemoChildren.Role.RECONCILER, id, new ProcessBuilder("sleep", "300"),
                    logs.resolve(id + ".log")));
        }
        started.put("sim", children.start(DemoChildren.Role.FLEET, "sim", new ProcessBuilder("sleep", "300"),
                logs.resolve("sim.log")));
    }

    @AfterEach
    void stop() {
        processes.close();
    }

    @Test
    void aKilledReconcilerIsNamedAndTheOthersKeepRunning() {
        Process r2 = started.get("r2");
        r2.destroyForcibly();

        List<DemoChildren.Exit> exits = awaitExits(1);

        DemoChildren.Exit exit = exits.get(0);
        assertThat(exit.message()).isEqualTo("reconciler r2 (pid " + r2.pid() + ") exited with signal 9 (KILL); its "
                + "nodes move to r1, r3  (log: " + logs.resolve("r2.log") + ")");
        assertThat(exit.endsDemo()).isFalse();
        assertThat(children.reconcilers()).containsExactly("r1", "r3");
        assertThat(List.of(started.get("r1"), started.get("r3"), started.get("sim"))).allMatch(Process::isAlive);
        assertThat(children.exited()).as("an exit is told once").isEmpty();
    }

    @Test
    void theDemoEndsOnlyWhenTheLastReconcilerExits() throws Exception {
        for (String id : List.of("r1", "r3")) {
            assertThat(started.get(id).destroyForcibly().waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        List<DemoChildren.Exit> first = children.exited(); // both gone before the demo looks

        started.get("r2").destroyForcibly();
        List<DemoChildren.Exit> last = awaitExits(1);

        assertThat(first).extracting(DemoChildren.Exit::name).containsExactly("r1", "r3");
        assertThat(first).noneMatch(DemoChildren.Exit::endsDemo)
                .allSatisfy(e -> assertThat(e.message()).contains("its nodes move to r2 "));
        assertThat(last.get(0).endsDemo()).isTrue();
        assertThat(last.get(0).message()).startsWith("reconciler r2 (pid " + started.get("r2").pid() + ") exited "
                + "with signal 9 (KILL); no reconciler is left");
        assertThat(started.get("sim").isAlive()).isTrue();
    }

    @Test
    void theDemoEndsWhenTheFleetExits() {
        started.get("sim").destroyForcibly();

        DemoChildren.Exit exit = awaitExits(1).get(0);

        assertThat(exit.endsDemo()).isTrue();
        assertThat(exit.message()).isEqualTo("simulated fleet (pid " + started.get("sim").pid() + ") exited with "
                + "signal 9 (KILL); no nodes are left to manage  (log: " + logs.resolve("sim.log") + ")");
        assertThat(children.reconcilers()).containsExactly("r1", "r2", "r3");
    }

    @Test
    void aChildThatFailsSaysItsExitCode() throws Exception {
        Process failing = children.start(DemoChildren.Role.RECONCILER, "r4", new ProcessBuilder("sh", "-c",
                "echo cannot bind; exit 1"), logs.resolve("r4.log"));

        DemoChildren.Exit exit = awaitExits(1).get(0);

        assertThat(exit.message()).startsWith("reconciler r4 (pid " + failing.pid() + ") exited with code 1; its "
                + "nodes move to r1, r2, r3");
        assertThat(Files.readString(logs.resolve("r4.log"))).isEqualTo("cannot bind\n");
    }

    @Test
    void exitsWhileEverythingIsBeingStoppedAreNotNews() {
        processes.close(); // what the shutdown hook does on Ctrl-C

        assertThat(started.values()).noneMatch(Process::isAlive);
        assertThat(children.exited()).isEmpty();
    }

    /** Collects exits until {@code n} were told. */
    private List<DemoChildren.Exit> awaitExits(int n) {
        List<DemoChildren.Exit> exits = new ArrayList<>();
        await().atMost(BOUND).until(() -> {
            exits.addAll(children.exited());
            return exits.size() >= n;
        });
        return exits;
    }
}
