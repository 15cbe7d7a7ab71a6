package io.nvmesh.service;

import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.Policies;
import io.nvmesh.core.testing.TestRepo;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.agent.Attachment;
import io.nvmesh.service.agent.SegmentLayout;
import io.nvmesh.service.reconcile.CommandChange;
import io.nvmesh.service.sim.SimulatedFleet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Scenario runner (not a unit test): how long after a volume's state commit on instance A does the command reach an
 * agent held by another instance B? Three real instances on loopback with reconcile loops on one bare repository
 * (state ref polled every 2 s, the default), a simulated fleet of 6 targets and 4 clients. Each round commits a new
 * volume attached to one client, placed (by ownership) by an instance other than the client's owner, and pokes the
 * placer as the Git hook does. Measured from the placer's state commit (its command listener, right after the commit)
 * to the agent's receipt of the attachment, and of the segments at each serving target held by another instance.
 * First with command events off (the owner learns at its next poll: what was there before), then on. Prints a table
 * and writes it to the file named by the first argument (default
 * {@code reconciler/service/target/command-latency-benchmark.txt}). {@code --tls} as second argument runs the instances
 * with TLS and client certificates (https; peers and every agent present their own certificates, no agent tokens).
 */
public final class CommandLatencyBenchmark {

    private static final int ROUNDS = 15;
    private static final Duration POLL = Duration.ofSeconds(2);

    private CommandLatencyBenchmark() {
    }

    private static TestCluster tlsIf(boolean tls, TestCluster cluster, Path dir) throws java.io.IOException {
        return tls ? cluster.withTls(dir.resolve("pki")) : cluster;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "reconciler/service/target/command-latency-benchmark.txt");
        boolean tls = args.length > 1 && args[1].equals("--tls");
        Path dir = Files.createTempDirectory("nvmesh-command-bench");
        Path repo = dir.resolve("state.git");
        Random random = new Random(7);
        StringBuilder table = new StringBuilder();
        try (StateStore store = StateStore.openOrCreate(repo);
             TestCluster cluster = tlsIf(tls, new TestCluster(3, Duration.ofMillis(200), 5, dir, repo.toString(),
                     POLL), dir).startAll()) {
            SimulatedFleet fleet = SimulatedFleet.create(new SimulatedFleet.Spec(6, 3, 4, 11));
            List<String> nodes = new ArrayList<>(fleet.targetIds());
            nodes.addAll(fleet.clientIds());
            AgentRuntime runtime = AgentRuntime.start("bench", tls ? cluster.agentTls(nodes)
                    : io.nvmesh.service.agent.AgentTls.NONE);
            try {
                TestRepo.of(store).desired().put("policies.yaml", Policies.MIRROR).message("bench").commit();
                fleet.connect(runtime, cluster.urls(), tls ? node -> "" : node -> TestCluster.AGENT);
                await(() -> StateFixtures.recorded(store).inventory().targets().size() == 6
                        && cluster.nodesHeldByTheirOwners(fleet), "fleet connected");
                // Who committed each volume's first command change, and when.
                Map<String, Long> committedAt = new ConcurrentHashMap<>();
                Map<String, String> committedBy = new ConcurrentHashMap<>();
                cluster.running().forEach(n -> n.reconcile().orElseThrow().addCommandListener(changes -> {
                    long now = System.nanoTime();
                    for (CommandChange c : changes) {
                        for (Attachment a : c.attachments()) {
                            if (committedAt.putIfAbsent(a.volume(), now) == null) {
                                committedBy.put(a.volume(), n.id());
                            }
                        }
                    }
                }));
                table.append(String.format(Locale.ROOT, "%-42s | %4s | %9s | %9s | %9s | %9s%n", "commands to agents"
                        + (tls ? ", TLS+mTLS" : ", plain") + " (poll 2 s)", "n", "p50", "p90", "max", "mean"));
                table.append("-".repeat(42)).append("-|-").append("-".repeat(4));
                table.append(("-|-" + "-".repeat(9)).repeat(4)).append('\n');
                for (boolean events : new boolean[] {false, true}) {
                    cluster.running().forEach(n -> n.feeds().commands().orElseThrow().publishing(events));
                    List<Long> attach = new ArrayList<>();
                    List<Long> layout = new ArrayList<>();
                    int skipped = 0;
                    for (int round = 0; round < ROUNDS; round++) {
                        String client = fleet.clientIds().get(round % fleet.clientIds().size());
                        String holder = fleet.statuses().get(client).owner();
                        String name = volumeNotPlacedBy(cluster, holder, (events ? "e" : "p") + round + "-");
                        String placer = cluster.node("r1").reconcile().orElseThrow().ownerOf(name);
                        TestRepo.of(store).desired().put("volumes/" + name + ".yaml", volume(name, client))
                                .message("bench").commit();
                        cluster.node(placer).reconcile().orElseThrow().trigger();
                        await(() -> fleet.lastCommand(client).map(AgentMessage.Command::attachments).orElse(List.of())
                                .stream().anyMatch(a -> a.volume().equals(name)), "attachment of " + name);
                        long arrived = System.nanoTime();
                        String by = committedBy.get(name);
                        if (by == null || by.equals(holder)) {
                            skipped++;
                        } else {
                            attach.add(arrived - committedAt.get(name));
                        }
                        RecordedState state = StateFixtures.recorded(store);
                        // No listener saw the commit (the holder's own pass, say): nothing to measure from.
                        for (String target : by == null ? List.<String>of() : servingTargets(state, name)) {
                            if (fleet.statuses().get(target).owner().equals(by)) {
                                continue;
                            }
                            await(() -> fleet.lastCommand(target).map(AgentMessage.Command::segments)
                                    .orElse(List.<SegmentLayout>of()).stream()
                                    .anyMatch(s -> s.volume().equals(name)), "segments of " + name);
                            layout.add(System.nanoTime() - committedAt.get(name));
                        }
                        // Spread the next commit over the poll's phase.
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100 + random.nextInt(400)));
                    }
                    String mode = events ? "command events" : "poll only (before)";
                    table.append(line(mode + ": attachment at client", attach));
                    table.append(line(mode + ": segments at target", layout));
                    if (skipped > 0) {
                        table.append(String.format(Locale.ROOT, "(%s: %d round(s) placed by the client's owner, not"
                                + " counted)%n", mode, skipped));
                    }
                }
                long unwanted = cluster.running().stream().mapToLong(n -> n.events().stats().unwanted()).sum();
                table.append(String.format(Locale.ROOT, "events that reached an instance without interest: %d%n",
                        unwanted));
            } finally {
                fleet.close();
                runtime.close();
            }
        }
        System.out.print(table);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table.toString());
        System.exit(0);
    }

    private static String volumeNotPlacedBy(TestCluster cluster, String holder, String prefix) {
        for (int i = 0; ; i++) {
            String name = prefix + i;
            if (!cluster.node("r1").reconcile().orElseThrow().ownerOf(name).equals(holder)) {
                return name;
            }
        }
    }

    private static List<String> servingTargets(RecordedState state, String volume) {
        return state.volumes().get(volume).allocation().orElseThrow().extents().stream()
                .map(e -> state.inventory().targetOf(e.serial()).orElseThrow().id()).distinct().toList();
    }

    private static String line(String what, List<Long> nanos) {
        long[] l = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        if (l.length == 0) {
            return String.format(Locale.ROOT, "%-42s | %4d |%n", what, 0);
        }
        double mean = nanos.stream().mapToLong(Long::longValue).average().orElse(0);
        return String.format(Locale.ROOT, "%-42s | %4d | %9s | %9s | %9s | %9s%n", what, l.length, ms(pct(l, 50)),
                ms(pct(l, 90)), ms(l[l.length - 1]), ms((long) mean));
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    private static void await(BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            LockSupport.parkNanos(200_000);
        }
    }

    /** As {@code nvmesh apply} would (the test fixture asserts with AssertJ, which a runner does not have). */
    private static String volume(String name, String client) {
        return "apiVersion: nvmesh.io/v1\nkind: Volume\nmetadata:\n  name: " + name
                + "\nspec:\n  policy: mirror\n  capacity: 1GiB\n  clients: [" + client + "]\n"
                + "  deletionProtection: false\n";
    }
}
