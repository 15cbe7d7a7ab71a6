package io.nvmesh.service.counters;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import net.openhft.chronicle.core.analytics.AnalyticsFacade;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real Chronicle Map files: a restart recovers them; a missing or damaged file is rebuilt. */
class CounterFilesTest {

    @TempDir
    Path dir;

    CounterWorld world;
    Map<String, Long> expected;

    @BeforeEach
    void fill() throws InterruptedException {
        world = CounterWorld.generate(20, 4, 4, 5);
        world.createVolumes(30);
        try (Counters counters = Counters.open(dir, "r1", 1_000, 20_000)) {
            assertThat(counters.needsRebuild()).as("a new file").isTrue();
            counters.follow(new HashSet<>(world.keys()));
            counters.contributeFrom(world);
            counters.awaitIdle(Duration.ofSeconds(5));
            for (int i = 0; i < 20; i++) {
                CounterWorld.Change c = world.randomChange();
                counters.apply(c.version(), c.deltas());
                if (c.keysChanged()) {
                    counters.follow(new HashSet<>(world.keys()));
                    counters.awaitIdle(Duration.ofSeconds(5));
                }
            }
            expected = world.expectedTotals();
            assertThat(counters.totals()).isEqualTo(expected);
        }
    }

    @Test
    void aRestartRecoversEqualTotalsFromItsFile() {
        try (Counters counters = Counters.open(dir, "r1", 2_000, 20_000)) {
            assertThat(counters.needsRebuild()).isFalse();
            assertThat(counters.totals()).isEqualTo(expected);
            assertThat(counters.capacity(true).report()).isEqualTo(world.expectedReport());
        }
    }

    @Test
    void filesLeftOpenByACrashAreRecoveredWithEqualTotals() throws IOException {
        Files.writeString(dir.resolve(ChronicleEntryStore.OPEN_MARKER), "4242\n");
        try (Counters counters = Counters.open(dir, "r1", 2_000, 20_000)) {
            assertThat(counters.needsRebuild()).isFalse();
            assertThat(counters.totals()).isEqualTo(expected);
        }
        assertThat(dir.resolve(ChronicleEntryStore.OPEN_MARKER)).doesNotExist();
    }

    @Test
    void chronicleAnalyticsAreOffAndNothingIsSentAnywhere() {
        List<URI> asked = new CopyOnWriteArrayList<>();
        ProxySelector previous = ProxySelector.getDefault();
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                asked.add(uri);
                return List.of(Proxy.NO_PROXY);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            }
        });
        try (Counters counters = Counters.open(dir.resolve("other"), "r9", 1, 1_000)) {
            counters.rebuild(world::contributions);
            assertThat(AnalyticsFacade.isEnabled()).as("Chronicle analytics").isFalse();
        } finally {
            ProxySelector.setDefault(previous);
        }
        assertThat(asked).as("URLs any library tried to reach").isEmpty();
    }

    @Test
    void aRestartWithAnOlderClockStillWritesAboveItsPreviousEpoch() {
        try (Counters counters = Counters.open(dir, "r1", 5, 20_000)) {
            assertThat(counters.epoch()).isGreaterThan(1_000);
        }
    }

    @Test
    void aDeletedFileIsRebuiltFromTheFullRecomputation() throws IOException {
        Files.delete(dir.resolve(ChronicleEntryStore.ENTRIES_FILE));
        try (Counters counters = Counters.open(dir, "r1", 2_000, 20_000)) {
            assertThat(counters.needsRebuild()).isTrue();
            assertThat(counters.totals()).isEmpty();

            counters.rebuild(world::contributions);

            assertThat(counters.needsRebuild()).isFalse();
            assertThat(counters.totals()).isEqualTo(expected);
            assertThat(counters.capacity(true).report()).isEqualTo(world.expectedReport());
        }
    }

    @Test
    void aDamagedFileIsDetectedAndRebuilt() throws IOException {
        Path file = dir.resolve(ChronicleEntryStore.ENTRIES_FILE);
        long size = Files.size(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] junk = new byte[(int) Math.min(size, 1 << 20)];
            new Random(1).nextBytes(junk);
            raf.seek(0);
            raf.write(junk);
        }
        try (Counters counters = Counters.open(dir, "r1", 2_000, 20_000)) {
            assertThat(counters.needsRebuild()).isTrue();

            counters.rebuild(world::contributions);

            assertThat(counters.totals()).isEqualTo(expected);
        }
    }

    @Test
    void aTruncatedFileIsDetectedAndRebuilt() throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve(ChronicleEntryStore.TOTALS_FILE).toFile(), "rw")) {
            raf.setLength(100);
        }
        try (Counters counters = Counters.open(dir, "r1", 2_000, 20_000)) {
            assertThat(counters.needsRebuild()).isTrue();
            counters.rebuild(world::contributions);
            assertThat(counters.totals()).isEqualTo(expected);
        }
    }

    @Test
    void provisionalEntriesGiveWayToTheOwnersEntries() throws InterruptedException {
        try (Counters rebuilt = Counters.onHeap("r2", 1); Counters owner = Counters.onHeap("r1", 1)) {
            rebuilt.rebuild(world::contributions);
            owner.follow(new HashSet<>(world.keys()));
            owner.contributeFrom(world);
            owner.awaitIdle(Duration.ofSeconds(5));
            CounterWorld.Change c = world.createVolumes(5);
            owner.apply(c.version(), c.deltas());
            owner.follow(new HashSet<>(world.keys()));
            owner.awaitIdle(Duration.ofSeconds(5));

            rebuilt.merge(owner.entries());

            assertThat(rebuilt.totals()).isEqualTo(world.expectedTotals());
            assertThat(rebuilt.entries()).allMatch(e -> !e.stamp().provisional());
            assertThat(owner.digests()).isEqualTo(rebuilt.digests());
        }
    }
}
