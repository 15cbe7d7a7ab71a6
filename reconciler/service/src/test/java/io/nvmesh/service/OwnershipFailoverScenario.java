package io.nvmesh.service;

import io.nvmesh.service.cluster.Assignment;
import io.nvmesh.service.cluster.Ownership;
import io.nvmesh.service.cluster.OwnershipRing;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Not a unit test: a scenario that prints figures. Three real instances in this JVM on loopback with the production
 * defaults (500 ms heartbeats, dead after 3 missed, epsilon 0.25) share 1,000 target and 1,000 client ids; then one is
 * stopped without a word, and we measure how long the two survivors take to agree it is gone and to recompute
 * ownership, and how many keys moved. Repeated once per instance killed.
 *
 * <pre>
 * mvn -B -q -pl reconciler/service -am package -DskipTests
 * java -cp 'reconciler/service/target/test-classes:reconciler/service/target/classes:reconciler/service/target/lib/*' \
 *     io.nvmesh.service.OwnershipFailoverScenario
 * </pre>
 *
 * The table goes to standard output and to {@code reconciler/service/target/ownership-failover.txt}.
 */
public final class OwnershipFailoverScenario {

    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final int MISSED = 3;
    private static final int PER_SPACE = 1_000;

    private OwnershipFailoverScenario() {
    }

    public static void main(String[] args) throws Exception {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text, true);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < PER_SPACE; i++) {
            keys.add(String.format("target/t-%04d", i));
            keys.add(String.format("client/c-%04d", i));
        }
        out.printf("Reconciler service: ownership and failover (3 instances in one JVM, loopback, heartbeat %d ms, "
                + "dead after %d missed, epsilon 0.25, %d targets + %d clients)%n%n", INTERVAL.toMillis(), MISSED,
                PER_SPACE, PER_SPACE);
        Path data = Files.createTempDirectory("nvmesh-scenario");
        boolean tablePrinted = false;
        List<String> runs = new ArrayList<>();
        for (String victim : List.of("r1", "r2", "r3")) {
            try (TestCluster cluster = new TestCluster(3, INTERVAL, MISSED, data).startAll()) {
                cluster.running().forEach(n -> n.ownership().setKeys(keys));
                long t = System.nanoTime();
                awaitAgreement(cluster, List.of("r1", "r2", "r3"));
                long joinMillis = (System.nanoTime() - t) / 1_000_000;
                Ownership before = cluster.node("r1").ownership().current();
                if (!tablePrinted) {
                    table(out, before);
                    out.printf("%nstart-up: all three agreed on members and owners %d ms after start%n%n", joinMillis);
                    out.println("| killed | survivors agree it is dead and have recomputed | keys moved | of which not"
                            + " the dead instance's | the dead instance's share |");
                    out.println("|---|---|---|---|---|");
                    tablePrinted = true;
                }
                List<String> survivors = cluster.ids().stream().filter(id -> !id.equals(victim)).toList();
                Map<String, Long> recomputedAt = new ConcurrentHashMap<>();
                for (String s : survivors) {
                    cluster.node(s).ownership().addListener(o -> {
                        if (!o.members().contains(victim)) {
                            recomputedAt.putIfAbsent(s, System.nanoTime());
                        }
                    });
                }
                long killedAt = System.nanoTime();
                cluster.kill(victim);
                awaitAgreement(cluster, survivors);
                long agreedMillis = (recomputedAt.values().stream().mapToLong(Long::longValue).max().orElseThrow()
                        - killedAt) / 1_000_000;
                Ownership after = cluster.node(survivors.get(0)).ownership().current();
                int moved = 0;
                int extra = 0;
                int deadShare = 0;
                for (String space : before.bySpace().keySet()) {
                    Assignment b = before.bySpace().get(space);
                    Assignment a = after.bySpace().get(space);
                    List<String> m = b.movedIn(a);
                    moved += m.size();
                    extra += (int) m.stream().filter(k -> !b.owners().get(k).equals(victim)).count();
                    deadShare += b.keysOf(victim).size();
                }
                int total = before.keyCount();
                String row = String.format(Locale.ROOT, "| %s | %d ms | %d / %d (%.1f %%) | %d | %d |", victim,
                        agreedMillis, moved, total, 100.0 * moved / total, extra, deadShare);
                out.println(row);
                runs.add(row);
            }
        }
        out.println();
        lookupCosts(out, keys);
        System.out.print(text);
        Path file = targetDir().resolve("ownership-failover.txt");
        Files.writeString(file, text.toString());
        System.out.println("written to " + file);
    }

    private static void table(PrintWriter out, Ownership o) {
        out.println("| instance | targets | clients | total |");
        out.println("|---|---|---|---|");
        Map<String, Map<String, Integer>> bySpace = o.countsBySpace();
        for (String m : o.members()) {
            out.printf("| %s | %d | %d | %d |%n", m, bySpace.get("target").get(m), bySpace.get("client").get(m),
                    o.counts().get(m));
        }
        for (String space : List.of("target", "client")) {
            Assignment a = o.bySpace().get(space);
            int max = a.counts().values().stream().mapToInt(Integer::intValue).max().orElse(0);
            double avg = (double) a.size() / a.members().size();
            out.printf(Locale.ROOT, "%s: max/avg = %d/%.1f = %.3f (bound %d = ceil(1.25 x avg))%n", space, max, avg,
                    max / avg, a.capacity());
        }
    }

    private static void lookupCosts(PrintWriter out, List<String> keys) {
        OwnershipRing ring = OwnershipRing.of(List.of("r1", "r2", "r3"), 0.25);
        List<String> targets = keys.stream().filter(k -> k.startsWith("target/")).toList();
        for (int warm = 0; warm < 20; warm++) {
            ring.assign(targets);
        }
        int rounds = 50;
        long t = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            ring.assign(targets);
        }
        double assignMicros = (System.nanoTime() - t) / 1e3 / rounds;
        int lookups = 200_000;
        long sink = 0;
        t = System.nanoTime();
        for (int i = 0; i < lookups; i++) {
            sink += ring.preferredOwner(targets.get(i % targets.size())).length();
        }
        double lookupNanos = (double) (System.nanoTime() - t) / lookups;
        out.printf(Locale.ROOT, "full assignment of 1,000 keys on 3 members: %.0f us; preferredOwner (one key): %.0f ns"
                + " (%d)%n", assignMicros, lookupNanos, sink % 10);
    }

    private static void awaitAgreement(TestCluster cluster, List<String> live) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            boolean agreed = cluster.running().stream().allMatch(n -> n.view().live().equals(live)
                    && n.ownership().current().members().equals(live))
                    && cluster.running().stream().map(n -> n.ownership().current().digest()).distinct().count() == 1;
            if (agreed) {
                return;
            }
            Thread.sleep(2); // a measuring loop, not a test wait: polls finely and is bounded by the deadline
        }
        throw new IllegalStateException("no agreement on " + live + " within 20 s");
    }

    private static Path targetDir() throws IOException {
        try {
            Path classes = Path.of(OwnershipFailoverScenario.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI());
            return classes.getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
    }
}
