package io.nvmesh.service.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.GitDaemon;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several writers at once on one bare repository, served by a real {@code git daemon} and used by its path too:
 * people running {@code nvmesh apply FILE} (one new volume each time; one of them also deletes what it applied
 * before) while four reconcile loops with overlapping ownership pass over it (two over {@code git://}, one on the
 * path, one in a process of its own). Every volume has at least two owners, so passes race for the same volumes.
 */
class ConcurrentWritersTest {

    /** @param appliers people applying volumes at once; {@code churn}: applies of one more person who also deletes */
    record Size(int appliers, int volumesEach, int churn) {
        static final Size SMALL = new Size(4, 5, 4);
    }

    @RegisterExtension
    final SafetyCase safety = new SafetyCase();

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void applyingWhileFourLoopsRaceNeverLosesAnUpdateDeletesADesiredVolumeOrOverlapsExtents() throws Exception {
        Assumptions.assumeTrue(GitDaemon.gitAvailable(), "git is not installed");

        Tally t = run(safety.dir(), safety.started(), Size.SMALL, 1);

        assertThat(t.verdict().violations()).isEmpty();
        assertThat(t.verdict().stateCommits()).isGreaterThan(1);
        System.out.println("ConcurrentWritersTest: " + t);
    }

    static Tally run(Path dir, Started started, Size size, long seed) throws Exception {
        Path served = Files.createDirectories(dir.resolve("served"));
        GitDaemon daemon = started.gitDaemon(served, dir.resolve("daemon.log"));
        String url = daemon.createRepositoryKeepingReflog("state.git");
        Path repo = daemon.path("state.git");
        Path stop = dir.resolve("stop");
        ExecutorService pool = Executors.newCachedThreadPool();
        started.add(pool::shutdownNow);
        List<String> notes = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(seed);

        StateStore driver = started.add(StateStore.openOrCreate(repo, PassLoop.options("driver")));
        Desired.importInventory(driver, Desired.inventory(6, 3, 2, "4TiB"));
        Desired.applyFile(driver, Files.createDirectories(dir.resolve("work-driver")), "policies.yaml",
                Desired.POLICIES, random.split());

        // The loops: every volume has two or three owners.
        AtomicBoolean stopping = new AtomicBoolean();
        List<Future<PassLoop.Counts>> loops = new ArrayList<>();
        StateStore byPath = started.add(StateStore.openOrCreate(repo, PassLoop.options("loop-path")));
        loops.add(pool.submit(() -> PassLoop.run(byPath, "loop-path", PassLoop.Share.all(), stopping::get)));
        StateStore netA = started.add(StateStore.remote(url, dir.resolve("cache-a"), PassLoop.options("loop-net-a")));
        loops.add(pool.submit(() -> PassLoop.run(netA, "loop-net-a", PassLoop.Share.of(3, 0, 1), stopping::get)));
        StateStore netB = started.add(StateStore.remote(url, dir.resolve("cache-b"), PassLoop.options("loop-net-b")));
        loops.add(pool.submit(() -> PassLoop.run(netB, "loop-net-b", PassLoop.Share.of(3, 1, 2), stopping::get)));
        PassLoop.Share childShare = PassLoop.Share.of(3, 0, 2);
        Child child = childJvm(dir, started, repo.toString(), "loop-process", childShare, stop);

        // The people: each applies its own new volumes one file at a time; one more also deletes.
        List<Future<Integer>> people = new ArrayList<>();
        TreeSet<String> kept = new TreeSet<>();
        for (int a = 0; a < size.appliers(); a++) {
            int who = a;
            SplittableRandom r = random.split();
            StateStore store = started.add(who % 2 == 0
                    ? StateStore.openOrCreate(repo, PassLoop.options("person-" + who))
                    : StateStore.remote(url, dir.resolve("cache-person-" + who), PassLoop.options("person-" + who)));
            Path work = Files.createDirectories(dir.resolve("work-" + who));
            for (int i = 0; i < size.volumesEach(); i++) {
                kept.add(String.format("p%d-%03d", who, i));
            }
            people.add(pool.submit(() -> {
                int attempts = 0;
                for (int i = 0; i < size.volumesEach(); i++) {
                    String name = String.format("p%d-%03d", who, i);
                    attempts += Desired.applyFile(store, work, "volumes/" + name + ".yaml",
                            Desired.volume(name, i, (1 + r.nextInt(4)) * 10 + "GiB"), r);
                }
                return attempts;
            }));
        }
        SplittableRandom churnRandom = random.split();
        StateStore churnStore = started.add(StateStore.remote(url, dir.resolve("cache-churn"),
                PassLoop.options("person-churn")));
        Path churnWork = Files.createDirectories(dir.resolve("work-churn"));
        people.add(pool.submit(() -> {
            int attempts = 0;
            for (int i = 0; i < size.churn(); i++) {
                // nvmesh apply --prune churn/: the folder holds only the newest volume, so the one before is deleted
                if (i > 0) {
                    Files.delete(churnWork.resolve(String.format("churn/c-%03d.yaml", i - 1)));
                }
                String name = String.format("c-%03d", i);
                attempts += Desired.apply(churnStore, churnWork, "churn/" + name + ".yaml",
                        Desired.volume(name, i, "20GiB"), "churn", true, churnRandom);
            }
            return attempts;
        }));
        int attempts = 0;
        for (Future<Integer> p : people) {
            attempts += p.get(2, TimeUnit.MINUTES);
        }
        int applies = 1 + size.appliers() * size.volumesEach() + size.churn();

        // Once the newest desired commit is recorded with all its volumes placed, the loops may stop.
        await("the newest desired commit recorded with every volume placed").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200)).until(() -> caughtUp(driver));
        stopping.set(true);
        Files.createFile(stop);
        int passes = 0;
        int recorded = 0;
        int retries = 0;
        int stale = 0;
        List<String> refusals = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Future<PassLoop.Counts> f : loops) {
            PassLoop.Counts c = f.get(60, TimeUnit.SECONDS);
            passes += c.passes();
            recorded += c.recorded();
            retries += c.retries();
            stale += c.stale();
            refusals.addAll(c.refusals());
            errors.addAll(c.errors());
        }
        for (String line = child.out().readLine(); line != null; line = child.out().readLine()) {
            if (line.startsWith("refused: ")) {
                refusals.add("loop-process " + line);
            } else if (line.startsWith("error: ")) {
                errors.add("loop-process " + line);
            } else if (line.startsWith("done ")) {
                String[] f = line.split(" ");
                passes += Integer.parseInt(f[1]);
                recorded += Integer.parseInt(f[2]);
                retries += Integer.parseInt(f[3]);
                stale += Integer.parseInt(f[4]);
            }
        }
        assertThat(child.process().waitFor(30, TimeUnit.SECONDS)).as("the loop process ended (stderr in %s)", dir).isTrue();

        WholeHistory.Verdict v = WholeHistory.check(driver, repo, kept, Set.of()).withViolations(refusals.stream()
                .map(r -> "a writer refused what a pass proposed: " + r).toList());
        notes.add(size.appliers() + 1 + " people, 4 loops (2 over git://, 1 by path, 1 in its own JVM); "
                + (attempts - applies + 1) + " applies lost their race to another and were run again");
        notes.add(passes + " passes, " + recorded + " recorded, " + retries + " CAS retries, " + stale
                + " passes outrun by the desired branch, " + errors.size() + " transient errors");
        if (!errors.isEmpty()) {
            notes.add("first transient error: " + errors.get(0));
        }
        return new Tally("concurrent writers", applies, v, notes);
    }

    /** Whether the state records the desired tip and places every volume it holds. */
    private static boolean caughtUp(StateStore store) {
        String desired = store.resolve("refs/heads/main");
        RecordedState s = StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
        if (!s.reconciled().desiredCommit().equals(desired)) {
            return false;
        }
        Set<String> want = Desired.volumesAtTip(store);
        return s.volumes().keySet().equals(want)
                && want.stream().allMatch(n -> s.volumes().get(n).allocation().isPresent());
    }

    private record Child(Process process, BufferedReader out) {
    }

    private static Child childJvm(Path dir, Started started, String repo, String writer, PassLoop.Share share,
            Path stop) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                PassLoop.class.getName(), repo, dir.resolve("cache-" + writer).toString(), writer,
                share.residuesArg(), Integer.toString(share.modulus()), stop.toString()));
        Process p = started.process(writer, new ProcessBuilder(cmd)
                .redirectError(dir.resolve(writer + ".err").toFile()).start());
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).as("%s started (stderr in %s)", writer, dir).isEqualTo("ready");
        return new Child(p, out);
    }
}
