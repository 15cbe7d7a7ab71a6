package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.service.cluster.Ownership;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up grace of real instances on loopback: a cluster whose members start one after another does not move
 * ownership back and forth, and a configured peer that never starts is given up after the usual dead-after time.
 */
class StartupGraceTest {

    private static final List<String> NODE_KEYS = IntStream.rangeClosed(1, 300)
            .mapToObj(i -> String.format("target/t-%03d", i)).toList();

    @TempDir
    Path dir;

    @Test
    void instancesStartedTogetherNeverChangeOwners() throws Exception {
        Map<String, AtomicInteger> changes = new ConcurrentHashMap<>();
        // The production heartbeat (500 ms); the grace is 10 s.
        try (TestCluster cluster = new TestCluster(3, Duration.ofMillis(500), 3, dir)) {
            // Started together, as nvmesh demo or a service manager starts them.
            ExecutorService starter = Executors.newFixedThreadPool(3);
            try {
                List<Future<?>> started = new ArrayList<>();
                for (String id : cluster.ids()) {
                    started.add(starter.submit(() -> {
                        ReconcilerNode n = cluster.start(id);
                        AtomicInteger count = changes.computeIfAbsent(id, k -> new AtomicInteger());
                        n.ownership().addListener(o -> count.incrementAndGet());
                        n.ownership().setKeys(NODE_KEYS);
                    }));
                }
                for (Future<?> f : started) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                starter.shutdownNow();
            }
            // Every instance has heard from every other, and more than one dead-after time has passed since.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> cluster.running().forEach(n ->
                    assertThat(n.view().members()).allSatisfy(m -> assertThat(m.epoch()).isPositive())));
            await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(cluster.running()).extracting(n -> n.ownership().current().digest()).containsOnly(
                        cluster.node("r1").ownership().current().digest());
                assertThat(cluster.node("r1").ownership().current().counts()).containsOnlyKeys("r1", "r2", "r3");
            });
            // Exactly one recomputation each: the one setKeys asked for. Without the grace each instance recomputes
            // once more per peer it hears from (and more when a slow start makes it declare a peer dead).
            assertThat(changes).hasSize(3).allSatisfy((id, count) -> assertThat(count.get())
                    .as("ownership computations on " + id).isEqualTo(1));
        }
    }

    @Test
    void aPeerThatNeverStartsIsGivenUpAfterTheDeadAfterTime() {
        try (TestCluster cluster = new TestCluster(2, Duration.ofMillis(200), 3, dir)) {
            ReconcilerNode r1 = cluster.start("r1");
            r1.ownership().setKeys(NODE_KEYS);
            Ownership first = r1.ownership().current();
            assertThat(first.counts()).containsOnlyKeys("r1", "r2");

            // Given up after the grace (10 s).
            // The ownership follows the view through a membership listener, just after the view changed.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(r1.view().live()).containsExactly("r1");
                assertThat(r1.ownership().current().counts()).containsOnlyKeys("r1");
            });
        }
    }
}
