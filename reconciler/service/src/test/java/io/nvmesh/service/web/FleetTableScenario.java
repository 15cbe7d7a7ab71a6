package io.nvmesh.service.web;

import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Role;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.Reconciled;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Protection;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;

import tools.jackson.databind.json.JsonMapper;

/**
 * Not a unit test: a scenario that prints figures. The work behind one {@code GET /v1/fleet/targets} at 1,000
 * targets x 24 drives and 6,000 mirrored volumes: reading and decoding the state ref from a real Git repository,
 * building the table, filtering, sorting and cutting one page of 50, and the page's JSON size. The browser only ever
 * holds that page (1,200 drive cells).
 *
 * <pre>
 * mvn -B -q -pl reconciler/service -am package -DskipTests
 * java -cp 'reconciler/service/target/test-classes:reconciler/service/target/classes:reconciler/service/target/lib/*' \
 *     io.nvmesh.service.web.FleetTableScenario
 * </pre>
 *
 * The table goes to standard output and to {@code reconciler/service/target/fleet-table.txt}.
 */
public final class FleetTableScenario {

    static final int TARGETS = 1_000;
    static final int DRIVES = 24;
    static final int VOLUMES = 6_000;
    static final int RUNS = 15;

    private FleetTableScenario() {
    }

    public static void main(String[] args) throws Exception {
        RecordedState built = fleet(new SplittableRandom(7));
        Path repo = Files.createTempDirectory("nvmesh-fleet-table").resolve("state.git");
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text, true);
        try (StateStore store = StateStore.openOrCreate(repo)) {
            store.commit(StateStore.STATE_REF, "", Changes.builder().putAll(StateFiles.encode(built)).build(), "seed",
                    new Author("scenario", "scenario@example.com"));
            out.printf("Dashboard fleet table: %,d targets x %d drives, %,d mirrored volumes; median of %d runs after "
                    + "warm-up (one JVM, nothing else of nvmesh running)%n%n", TARGETS, DRIVES, VOLUMES, RUNS);
            out.printf("| step | median ms | max ms |%n|---|---:|---:|%n");
            RecordedState state = time(out, "read + decode the state ref (Git)",
                    () -> StateFiles.decode(store.read(StateStore.STATE_REF)).state());
            List<FleetTable.TargetRow> rows = time(out, "build rows (used bytes from every extent)",
                    () -> FleetTable.rows(state, List.of(), id -> "r1"));
            for (String sort : FleetTable.SORTS) {
                time(out, "page of 50, sort " + sort, () -> FleetTable.page(state.commitId(), rows,
                        new FleetTable.Query("", false, Set.of(), sort, false, 500, 50)));
            }
            time(out, "page of 50, filter \"rack-b0\"", () -> FleetTable.page(state.commitId(), rows,
                    new FleetTable.Query("rack-b0", false, Set.of(), "id", false, 0, 50)));
            FleetTable.Page page = FleetTable.page(state.commitId(), rows,
                    new FleetTable.Query("", false, Set.of(), "id", false, 0, 50));
            byte[] json = JsonMapper.builder().build().writeValueAsBytes(page);
            out.printf("%none page of 50 targets as JSON: %,d bytes (uncompressed)%n", json.length);
        }
        System.out.print(text);
        Path file = Path.of("reconciler/service/target/fleet-table.txt");
        if (Files.isDirectory(file.getParent())) {
            Files.writeString(file, text.toString());
        }
    }

    private static <T> T time(PrintWriter out, String step, Supplier<T> work) {
        for (int i = 0; i < 3; i++) {
            work.get();
        }
        long[] millis = new long[RUNS];
        T last = null;
        for (int i = 0; i < RUNS; i++) {
            long t = System.nanoTime();
            last = work.get();
            millis[i] = (System.nanoTime() - t) / 1_000_000;
        }
        Arrays.sort(millis);
        out.printf("| %s | %d | %d |%n", step, millis[RUNS / 2], millis[RUNS - 1]);
        return last;
    }

    /** Racks of four in three zones as the simulated fleet lays them out; each volume's two copies in two racks. */
    static RecordedState fleet(SplittableRandom random) {
        List<Target> targets = new ArrayList<>();
        for (int i = 0; i < TARGETS; i++) {
            char zone = (char) ('a' + i % 3);
            List<Drive> drives = new ArrayList<>();
            for (int d = 0; d < DRIVES; d++) {
                drives.add(new Drive(String.format("S%04d%02d", i, d), 8L << 40,
                        random.nextInt(1000) == 0 ? DriveHealth.FAILED : DriveHealth.OK, Map.of("media", "tlc")));
            }
            targets.add(new Target(String.format("t-%04d", i), Map.of("zone", "zone-" + zone,
                    "rack", String.format("rack-%c%03d", zone, i / 3 / 4)), TargetHealth.HEALTHY, drives));
        }
        long[][] next = new long[TARGETS][DRIVES];
        TreeMap<String, VolumeRecord> volumes = new TreeMap<>();
        for (int v = 0; v < VOLUMES; v++) {
            String name = String.format("vol-%05d", v);
            long length = (1 + random.nextInt(64)) * (1L << 30);
            int a = random.nextInt(TARGETS);
            int b = (a + 12 + random.nextInt(TARGETS - 24)) % TARGETS;
            List<Segment> segments = new ArrayList<>();
            int k = 0;
            for (int t : new int[] {a, b}) {
                int d = random.nextInt(DRIVES);
                segments.add(new Segment(k, k == 0 ? Role.DATA : Role.MIRROR, new Extent(
                        targets.get(t).drives().get(d).serial(), next[t][d], length)));
                next[t][d] += length;
                k++;
            }
            VolumeAllocation alloc = new VolumeAllocation(name, "mirror", Layout.RAID1, Protection.FULL, "rack",
                    length, List.of(new Chunk(0, List.of(new Group(0, segments)))));
            volumes.put(name, new VolumeRecord(name, VolumeStatus.ONLINE, "", false, "", Optional.of(alloc)));
        }
        return new RecordedState("", new Inventory(targets, List.of()), volumes, Reconciled.NEVER);
    }
}
