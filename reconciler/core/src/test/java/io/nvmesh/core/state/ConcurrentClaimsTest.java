package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof that matters: four threads in this JVM and two other JVMs claim slots in one bare repository at the same
 * time, and at the end every attempt holds exactly one slot and no slot is held twice.
 */
class ConcurrentClaimsTest {

    private static final int PER_THREAD = 30;
    private static final int PER_PROCESS = 40;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void writersInThreadsAndProcessesNeverClaimASlotTwiceNorLoseOne() throws Exception {
        Path repo = tmp.resolve("state.git");
        List<Process> processes = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (StateStore shared1 = StateStore.openOrCreate(repo, StoreOptions.forWriter("jvm-a"));
                StateStore shared2 = StateStore.openOrCreate(repo, StoreOptions.forWriter("jvm-b"))) {
            for (int p = 0; p < 2; p++) {
                Process proc = ChildJvm.start(tmp.resolve("proc-" + p + ".err"), ClaimWriter.class.getName(),
                        "local", repo.toString(), "proc-" + p, Integer.toString(PER_PROCESS));
                processes.add(proc);
                BufferedReader out = new BufferedReader(
                        new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8));
                outputs.add(out);
                assertThat(out.readLine()).as("child %d started (stderr: %s)", p, tmp.resolve("proc-" + p + ".err"))
                        .isEqualTo("ready");
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                StateStore store = t % 2 == 0 ? shared1 : shared2;
                String writer = "thread-" + t;
                threads.add(pool.submit(() -> {
                    go.await();
                    int retries = 0;
                    for (int i = 0; i < PER_THREAD; i++) {
                        UpdateResult r = Claims.claimOne(store, new Author(writer, writer + "@test"), writer, i);
                        assertThat(r).as("%s claim %d", writer, i).isInstanceOf(UpdateResult.Updated.class);
                        retries += r.retries();
                    }
                    return retries;
                }));
            }
            for (Process proc : processes) {
                OutputStream in = proc.getOutputStream();
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
            }
            go.countDown();

            int threadRetries = 0;
            for (Future<Integer> f : threads) {
                threadRetries += f.get(2, TimeUnit.MINUTES);
            }
            long processRetries = 0;
            for (int p = 0; p < 2; p++) {
                String done = outputs.get(p).readLine();
                assertThat(processes.get(p).waitFor(2, TimeUnit.MINUTES)).isTrue();
                assertThat(done).as("child %d: %s", p, Files.readString(tmp.resolve("proc-" + p + ".err")))
                        .startsWith("done ").endsWith(" 0");
                processRetries += Long.parseLong(done.split(" ")[1]);
            }

            Set<String> expected = new HashSet<>();
            for (int t = 0; t < 4; t++) {
                expected.addAll(Claims.claimsOf("thread-" + t, PER_THREAD));
            }
            for (int p = 0; p < 2; p++) {
                expected.addAll(Claims.claimsOf("proc-" + p, PER_PROCESS));
            }
            Claims.assertExactlyOnce(shared1, expected);
            assertThat(Claims.historyLength(repo)).as("one commit per claim").isEqualTo(expected.size());
            // Not a bound, a sign the race was real: with six writers somebody must have lost sometimes.
            assertThat(threadRetries + processRetries).isPositive();
        } finally {
            pool.shutdownNow();
            processes.forEach(ChildJvm::stop);
        }
    }
}
