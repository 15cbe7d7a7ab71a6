package io.nvmesh.service.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The agents of one process share a few timer threads. Each node keeps to one of them, so its own tasks run in the
 * order it scheduled them, as with a single timer; the nodes spread over all of them, so a burst of work for some
 * nodes (reconnections after a failover) does not make the checks of all the others late.
 */
class AgentRuntimeTimersTest {

    @Test
    void aNodeKeepsToOneTimerAndNodesSpreadOverAll() throws Exception {
        try (AgentRuntime rt = AgentRuntime.start("timers", AgentTls.NONE, Duration.ofMillis(500),
                Duration.ofSeconds(2), 4)) {
            assertThat(rt.timers()).isEqualTo(4);
            assertThat(rt.timersStarted()).as("no thread before an agent asks").isZero();
            rt.timerFor("t-0042");
            assertThat(rt.timersStarted()).as("one agent, one thread").isEqualTo(1);
            Map<ScheduledExecutorService, Integer> perTimer = new HashMap<>();
            for (String kind : List.of("t-", "c-")) {
                for (int i = 0; i < 1_000; i++) {
                    String node = kind + String.format("%04d", i);
                    ScheduledExecutorService timer = rt.timerFor(node);
                    assertThat(rt.timerFor(node)).isSameAs(timer);
                    perTimer.merge(timer, 1, Integer::sum);
                }
            }
            assertThat(perTimer).hasSize(4);
            assertThat(rt.timersStarted()).isEqualTo(4);
            assertThat(perTimer.values()).allSatisfy(n -> assertThat(n).isBetween(400, 600));

            // every task of one node runs on the same thread, whatever its delay
            Set<String> threads = ConcurrentHashMap.newKeySet();
            CountDownLatch done = new CountDownLatch(40);
            ScheduledExecutorService timer = rt.timerFor("t-0042");
            for (int i = 0; i < 40; i++) {
                timer.schedule(() -> {
                    threads.add(Thread.currentThread().getName());
                    done.countDown();
                }, i % 7, TimeUnit.MILLISECONDS);
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(threads).hasSize(1).allSatisfy(t -> assertThat(t).startsWith("nvmesh-agents-timers-timer-"));
        }
    }

    @Test
    void aClosedRuntimeStartsNoTimer() {
        AgentRuntime rt = AgentRuntime.start("closed", AgentTls.NONE, Duration.ofMillis(500), Duration.ofSeconds(2), 2);
        ScheduledExecutorService started = rt.timerFor("t-0001");
        rt.close();
        assertThat(started.isShutdown()).isTrue();
        int refused = 0;
        for (int i = 2; i < 40; i++) {
            try {
                assertThat(rt.timerFor(String.format("t-%04d", i))).as("the one started, shut down").isSameAs(started);
            } catch (IllegalStateException e) {
                assertThat(e).hasMessageContaining("closed");
                refused++;
            }
        }
        assertThat(refused).as("nodes of the timer never started").isPositive();
        assertThat(rt.timersStarted()).isEqualTo(1);
    }

    @Test
    void aBusyTimerDoesNotHoldUpTheNodesOfAnother() throws Exception {
        try (AgentRuntime rt = AgentRuntime.start("busy", AgentTls.NONE, Duration.ofMillis(500),
                Duration.ofSeconds(2), 2)) {
            String busy = "t-0000";
            String other = null;
            for (int i = 1; other == null; i++) {
                String candidate = String.format("t-%04d", i);
                if (rt.timerFor(candidate) != rt.timerFor(busy)) {
                    other = candidate;
                }
            }
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch ran = new CountDownLatch(1);
            rt.timerFor(busy).execute(() -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            rt.timerFor(other).execute(ran::countDown);
            try {
                assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
            } finally {
                release.countDown();
            }
        }
    }
}
