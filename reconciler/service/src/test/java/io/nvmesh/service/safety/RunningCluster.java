package io.nvmesh.service.safety;

import static org.awaitility.Awaitility.await;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.GitDaemon;
import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.sim.SimulatedFleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;

/**
 * One bare repository, three reconciler processes reconciling from it (by path, or through a {@code git daemon}) and,
 * if asked, a simulated fleet of six targets with two drives each and two clients dialling them from this JVM. The
 * state store here is the test's own view of the repository by its path, as a person's {@code nvmesh} would open it.
 */
final class RunningCluster {

    static final int TARGETS = 6;

    final Path dir;
    final Path repo;
    final StateStore store;
    final ReconcilerProcesses instances;
    /** What the simulated nodes saw of their owners (empty without a fleet). */
    final NodeJournal journal = new NodeJournal();
    private SimulatedFleet fleet;
    private final Path work;
    private final SplittableRandom random;
    private int applies;

    private RunningCluster(Path dir, Path repo, StateStore store, ReconcilerProcesses instances, Path work,
            SplittableRandom random) {
        this.dir = dir;
        this.repo = repo;
        this.store = store;
        this.instances = instances;
        this.work = work;
        this.random = random;
    }

    /**
     * @param fleet         with a simulated fleet (the instances record its inventory and command its targets);
     *                      without, the inventory is imported and nobody serves anything
     * @param overGitDaemon the instances reach the repository through a real {@code git daemon} (each through a mirror
     *                      of its own, publishing by push with a lease) rather than by its path
     */
    static RunningCluster start(Path dir, Started started, ReconcilerProcesses.Settings settings, boolean fleet,
            boolean overGitDaemon, long seed) throws IOException {
        Path repo = dir.resolve("state.git");
        String remote = repo.toString();
        if (overGitDaemon) {
            GitDaemon daemon = started.gitDaemon(Files.createDirectories(dir.resolve("served")),
                    dir.resolve("daemon.log"));
            remote = daemon.createRepositoryKeepingReflog("state.git");
            repo = daemon.path("state.git");
        }
        StateStore store = started.add(StateStore.openOrCreate(repo, PassLoop.options("person")));
        SplittableRandom random = new SplittableRandom(seed);
        Path work = Files.createDirectories(dir.resolve("work"));
        if (!fleet) {
            Desired.importInventory(store, Desired.inventory(TARGETS, 3, 2, "4TiB"));
        }
        Desired.applyFile(store, work, "policies.yaml", Desired.POLICIES, random);
        ReconcilerProcesses instances = ReconcilerProcesses.start(dir, 3, remote, settings, started);
        RunningCluster running = new RunningCluster(dir, repo, store, instances, work, random);
        running.applies = 1;
        if (fleet) {
            AgentRuntime runtime = started.add(AgentRuntime.start("safety"));
            runtime.journal(running.journal);
            SimulatedFleet f = started.add(SimulatedFleet.create(new SimulatedFleet.Spec(TARGETS, 2, 2, seed)));
            running.fleet = f;
            f.connect(runtime, instances.urls(), ReconcilerProcesses.AGENT);
            await("the fleet's inventory recorded").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        RecordedState s = running.recorded();
                        return s.inventory().targets().size() == TARGETS
                                && s.inventory().targets().stream().allMatch(t -> t.drives().size() == 2);
                    });
        }
        return running;
    }

    /** Desired commits made by {@code nvmesh apply} so far. */
    int applies() {
        return applies;
    }

    /** {@code nvmesh apply volumes/<batch>.yaml}: {@code count} new volumes in one file, one commit. */
    List<String> applyBatch(String batch, int count) {
        List<String> names = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String name = String.format("%s-%02d", batch, i);
            names.add(name);
            text.append(i == 0 ? "" : "---\n").append(Desired.volume(name, i, (1 + random.nextInt(5)) * 10 + "GiB"));
        }
        Desired.applyFile(store, work, "volumes/" + batch + ".yaml", text.toString(), random);
        applies++;
        return names;
    }

    /**
     * Waits until every named volume has an allocation at the state's tip. If they do not get one in time, the failure
     * says what the tip records for them and what the whole history check finds so far.
     */
    void awaitPlaced(Collection<String> names, Duration bound) {
        try {
            await("volumes " + names + " placed").atMost(bound).pollInterval(Duration.ofMillis(200)).until(() -> {
                RecordedState s = recorded();
                return names.stream().allMatch(n -> s.volumes().containsKey(n)
                        && s.volumes().get(n).allocation().isPresent());
            });
        } catch (ConditionTimeoutException e) {
            StringBuilder why = new StringBuilder("not placed within " + bound.toSeconds() + " s:");
            try {
                RecordedState s = recorded();
                for (String n : names) {
                    VolumeRecord v = s.volumes().get(n);
                    if (v == null || v.allocation().isEmpty()) {
                        why.append("\n  ").append(n).append(": ").append(v == null ? "not recorded"
                                : v.status().wireName() + " (" + v.reason() + ")");
                    }
                }
                List<String> found = WholeHistory.check(store, repo, Set.copyOf(names), Set.of())
                        .withViolations(refusalsLogged()).violations();
                found.stream().limit(20).forEach(x -> why.append("\n  ").append(x));
                if (found.size() > 20) {
                    why.append("\n  and ").append(found.size() - 20).append(" more");
                }
            } catch (RuntimeException unreadable) {
                why.append("\n  the state cannot be read: ").append(unreadable.getMessage());
            }
            throw new AssertionError(why.toString(), e);
        }
    }

    /** The state at the tip, read afresh (no cache of this store hides a damaged object from it). */
    RecordedState recorded() {
        return StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
    }

    /**
     * Stops the instances, then: the whole history checked ({@link WholeHistory}), plus every time an instance's writer refused what one of its
     * passes proposed ({@code refused to record} in its log): the writer caught a pass about to break a rule, which
     * the service only logs, and which is a bug even though nothing was recorded.
     */
    WholeHistory.Verdict verdict(Set<String> kept, Set<String> restoredTo) {
        List<String> nodes = new ArrayList<>();
        if (fleet != null) {
            nodes.addAll(settledHealth());
        }
        instances.stopAll();
        if (fleet != null) {
            nodes.addAll(journal.violations());
            nodes.addAll(journal.recordedViolations(store, Set.of()));
        }
        return WholeHistory.check(store, repo, kept, restoredTo).withViolations(refusalsLogged())
                .withViolations(nodes);
    }

    /**
     * With a fleet, before the instances stop: every agent connected and every target recorded healthy within a bound.
     * A stale owner's word about a node it lost (say, "unreachable" after its agent left it) must not stay in the
     * record.
     */
    private List<String> settledHealth() {
        try {
            await("every agent connected and every target recorded healthy").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200)).until(() -> fleet.statuses().values().stream()
                            .allMatch(s -> s.state() == io.nvmesh.service.agent.AgentStatus.State.CONNECTED)
                            && recorded().inventory().targets().stream()
                            .allMatch(t -> t.health() == io.nvmesh.core.allocation.TargetHealth.HEALTHY));
            return List.of();
        } catch (ConditionTimeoutException e) {
            List<String> out = new ArrayList<>();
            fleet.statuses().forEach((id, s) -> {
                if (s.state() != io.nvmesh.service.agent.AgentStatus.State.CONNECTED) {
                    out.add("node " + id + " not connected at the end: " + s);
                }
            });
            recorded().inventory().targets().stream()
                    .filter(t -> t.health() != io.nvmesh.core.allocation.TargetHealth.HEALTHY)
                    .forEach(t -> out.add("tip: target " + t.id() + " recorded " + t.health() + " while its agent "
                            + "is " + fleet.statuses().get(t.id())));
            return out;
        }
    }

    /** The writer refusals the instances logged, at most five each. */
    private List<String> refusalsLogged() {
        List<String> violations = new ArrayList<>();
        for (String id : instances.ids()) {
            try {
                Files.readAllLines(instances.log(id), StandardCharsets.UTF_8).stream()
                        .filter(l -> l.contains("refused to record")).limit(5)
                        .forEach(l -> violations.add(id + " log: " + l.strip()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return violations;
    }

    /** {@code git log --format=%an%x09%s} of the state commits after {@code since} (empty: all), newest first. */
    List<String> stateCommitsSince(String since) {
        return git("log", "--format=%an%x09%s", since.isEmpty() ? StateStore.STATE_REF
                : since + ".." + StateStore.STATE_REF);
    }

    List<String> git(String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "--git-dir", repo.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
            return out.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
