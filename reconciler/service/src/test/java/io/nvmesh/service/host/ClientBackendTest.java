package io.nvmesh.service.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.service.agent.Attachment;
import io.nvmesh.service.agent.SegmentLayout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client attaching volumes served by fixture targets: the nvme connect, mdadm and dmsetup command lines are
 * asserted, the client connects to exactly the subsystems the targets created, attaching again changes nothing, a
 * rebuilt segment is swapped into its mirror, and only an order without the volume detaches it.
 */
class ClientBackendTest {

    private static final long GIB = 1L << 30;
    private static final String NQN = "nqn.2024-01.io.nvmesh:volume:db-01";

    @TempDir
    Path tmp;

    private final Map<String, TargetBackend> targets = new java.util.TreeMap<>();
    private final Map<String, HostExecutor> targetExecutors = new java.util.TreeMap<>();
    private final Map<String, List<HostDrive>> targetDrives = new java.util.TreeMap<>();
    private final Map<String, Path> fabric = new java.util.TreeMap<>();
    private HostFixture client;
    private FakeHostTools tools;
    private ClientBackend backend;
    private HostExecutor executor;

    @BeforeEach
    void setUp() {
        for (int i = 1; i <= 3; i++) {
            String id = "t-00" + i;
            HostFixture t = HostFixture.standard(tmp.resolve(id));
            Configfs cfs = Configfs.emulated(t.roots().nvmet());
            FakeHostTools tt = new FakeHostTools(t, Map.of());
            targets.put(id, new TargetBackend(id, cfs, tt, t.roots().dev(), new TargetBackend.Port("1", "tcp",
                    "ipv4", "10.0.0.1" + i, "4420", List.of(HostFixture.HOST_NQN))));
            targetExecutors.put(id, new HostExecutor(cfs, tt, Duration.ofSeconds(1)));
            targetDrives.put(id, new SysfsInventory(t.sys(), List.of()).read());
            fabric.put("10.0.0.1" + i + ":4420", t.roots().nvmet());
        }
        client = HostFixture.standard(tmp.resolve("c-001"));
        tools = new FakeHostTools(client, fabric);
        backend = new ClientBackend(client.roots().dev(), client.roots().etc().resolve("nvme/hostnqn"),
                Map.of("t-001", new ClientBackend.Address("tcp", "10.0.0.11", "4420"),
                        "t-002", new ClientBackend.Address("tcp", "10.0.0.12", "4420"),
                        "t-003", new ClientBackend.Address("tcp", "10.0.0.13", "4420")), 4420,
                new SysfsInventory(client.sys(), List.of()));
        executor = new HostExecutor(Configfs.emulated(client.roots().nvmet()), tools, Duration.ofSeconds(2));
    }

    /** raid10: one chunk of two stripes, each mirrored on t-001 and t-002. */
    private static Attachment raid10(String second) {
        return new Attachment("db-01", NQN, 2 * GIB, List.of("t-001", second), false, "raid10", List.of(
                new Attachment.Member(0, 0, 0, 0, "t-001", GIB), new Attachment.Member(1, 0, 0, 1, second, GIB),
                new Attachment.Member(2, 0, 1, 0, "t-001", GIB), new Attachment.Member(3, 0, 1, 1, second, GIB)));
    }

    private void serve(Attachment a) {
        Map<String, List<SegmentLayout>> layouts = new java.util.TreeMap<>();
        targets.keySet().forEach(t -> layouts.put(t, new ArrayList<>()));
        for (Attachment.Member m : a.members()) {
            String serial = m.index() == 0 ? HostFixture.PM9A3 : HostFixture.CM6;
            layouts.get(m.target()).add(new SegmentLayout(a.volume(), m.segment(), serial, m.group() * GIB,
                    m.length()));
        }
        layouts.forEach((t, l) -> targetExecutors.get(t).perform(targets.get(t).plan(l, targetDrives.get(t))));
    }

    private ClientBackend.Plan apply(List<Attachment> attachments) {
        ClientBackend.Plan plan = backend.plan(attachments);
        executor.perform(plan.ops());
        backend.applied(plan);
        return plan;
    }

    @Test
    void connectsAssemblesRaid10AndExposesTheVolumeThenChangesNothingTheSecondTime() throws Exception {
        Attachment a = raid10("t-002");
        serve(a);
        ClientBackend.Plan plan = apply(List.of(a));
        assertThat(plan.refused()).isEmpty();
        assertThat(plan.ops()).noneMatch(HostOp::teardown);
        String md = client.root.resolve("dev/md") + "/";
        List<String> m = memberPaths(a);
        assertThat(tools.changes()).containsExactly(
                "nvme connect -t tcp -a 10.0.0.11 -s 4420 -n " + NQN + ":t-001 -q " + HostFixture.HOST_NQN,
                "nvme connect -t tcp -a 10.0.0.12 -s 4420 -n " + NQN + ":t-002 -q " + HostFixture.HOST_NQN,
                "mdadm --build " + md + "nvmesh-db-01.c0g0 --level=1 --raid-devices=2 " + m.get(0) + " " + m.get(1),
                "mdadm --build " + md + "nvmesh-db-01.c0g1 --level=1 --raid-devices=2 " + m.get(2) + " " + m.get(3),
                "mdadm --build " + md + "nvmesh-db-01.c0 --level=0 --chunk=512 --raid-devices=2 "
                        + md + "nvmesh-db-01.c0g0 " + md + "nvmesh-db-01.c0g1");
        assertThat(Files.readSymbolicLink(client.root.resolve("dev/nvmesh/db-01")))
                .isEqualTo(Path.of(md + "nvmesh-db-01.c0"));
        assertThat(backend.plan(List.of(a)).ops()).as("attached already").isEmpty();
    }

    @Test
    void aRebuiltSegmentIsSwappedIntoItsMirrorAndTheOldTargetLetGo() {
        Attachment before = raid10("t-002");
        serve(before);
        apply(List.of(before));
        List<String> old = memberPaths(before);
        Attachment after = raid10("t-003");
        serve(after);
        List<String> now = memberPaths(after);
        List<HostOp> ops = backend.plan(List.of(after)).ops();
        String md = client.root.resolve("dev/md") + "/";
        assertThat(ops).filteredOn(o -> o instanceof HostOp.Run).extracting(HostOp::render).containsExactly(
                "nvme connect -t tcp -a 10.0.0.13 -s 4420 -n " + NQN + ":t-003 -q " + HostFixture.HOST_NQN,
                "mdadm " + md + "nvmesh-db-01.c0g0 --fail " + old.get(1) + " --remove " + old.get(1),
                "mdadm " + md + "nvmesh-db-01.c0g0 --add " + now.get(1),
                "mdadm " + md + "nvmesh-db-01.c0g1 --fail " + old.get(3) + " --remove " + old.get(3),
                "mdadm " + md + "nvmesh-db-01.c0g1 --add " + now.get(3),
                "nvme disconnect -d nvme11");
    }

    @Test
    void aConnectBeforeTheTargetExportsTheSubsystemOnItsPortIsRefusedAndTheNextAttachmentGetsTheNamespaces() {
        Attachment a = raid10("t-002");
        serve(a);
        apply(List.of(a));
        Attachment after = raid10("t-003");
        // t-003 stopped halfway: subsystem and allowed host made, namespaces not yet enabled, no port link
        List<HostOp> ops = targets.get("t-003").plan(List.of(
                new SegmentLayout("db-01", 1, HostFixture.CM6, 0, GIB),
                new SegmentLayout("db-01", 3, HostFixture.CM6, GIB, GIB)), targetDrives.get("t-003"));
        int firstNamespace = ops.indexOf(ops.stream().filter(o -> o.render().contains("/namespaces/")).findFirst()
                .orElseThrow());
        targetExecutors.get("t-003").perform(ops.subList(0, firstNamespace));

        ClientBackend.Plan refused = backend.plan(List.of(after));
        assertThatThrownBy(() -> executor.perform(refused.ops())).isInstanceOf(HostExecutor.OpFailed.class)
                .hasMessageContaining("nvme connect failed");
        assertThat(tools.changes()).filteredOn(l -> l.startsWith("mdadm") && l.contains("--add")).isEmpty();

        serve(after);
        apply(List.of(after));
        List<String> now = memberPaths(after);
        assertThat(tools.changes()).filteredOn(l -> l.startsWith("mdadm") && l.contains("--add"))
                .containsExactly("mdadm " + client.root.resolve("dev/md") + "/nvmesh-db-01.c0g0 --add " + now.get(1),
                        "mdadm " + client.root.resolve("dev/md") + "/nvmesh-db-01.c0g1 --add " + now.get(3));
    }

    @Test
    void concatenatesChunksWithDeviceMapperAndRefusesErasureCodingWithItsReason() {
        Attachment concat = new Attachment("logs", "nqn.2024-01.io.nvmesh:volume:logs", 2 * GIB, List.of("t-001"),
                false, "concatenated", List.of(new Attachment.Member(0, 0, 0, 0, "t-001", GIB),
                new Attachment.Member(1, 1, 0, 0, "t-001", GIB)));
        Attachment ec = new Attachment("cold", "nqn.2024-01.io.nvmesh:volume:cold", GIB, List.of("t-001"), false,
                "erasure-coding", List.of(new Attachment.Member(0, 0, 0, 0, "t-001", GIB)));
        serve(new Attachment("logs", concat.nqn(), 2 * GIB, List.of("t-001"), false, "concatenated", List.of(
                new Attachment.Member(0, 0, 0, 0, "t-001", GIB), new Attachment.Member(1, 1, 1, 0, "t-001", GIB))));
        ClientBackend.Plan plan = apply(List.of(concat, ec));
        assertThat(plan.refused()).containsExactly(Map.entry("cold", "volume cold: erasure-coding is not supported "
                + "by the Linux host backend (md has no k+m erasure coding); use raid1 or raid10"));
        List<String> m = memberPaths(concat);
        assertThat(tools.changes()).containsExactly(
                "nvme connect -t tcp -a 10.0.0.11 -s 4420 -n nqn.2024-01.io.nvmesh:volume:logs:t-001 -q "
                        + HostFixture.HOST_NQN,
                "dmsetup create nvmesh-logs <<0 2097152 linear " + m.get(0) + " 0; 2097152 2097152 linear "
                        + m.get(1) + " 0");
        assertThat(client.root.resolve("dev/nvmesh/logs")).isSymbolicLink();
    }

    @Test
    void detachesOnlyWhenOrderedAndStopsStripesBeforeMirrors() {
        Attachment a = raid10("t-002");
        serve(a);
        apply(List.of(a));
        List<HostOp> ops = backend.plan(List.of()).ops();
        String md = client.root.resolve("dev/md") + "/";
        assertThat(ops).extracting(HostOp::render).containsExactly(
                "rm " + client.root.resolve("dev/nvmesh/db-01"),
                "mdadm --stop " + md + "nvmesh-db-01.c0",
                "mdadm --stop " + md + "nvmesh-db-01.c0g0",
                "mdadm --stop " + md + "nvmesh-db-01.c0g1",
                "nvme disconnect -d nvme10",
                "nvme disconnect -d nvme11");
        assertThat(ops).allMatch(HostOp::teardown);
    }

    private List<String> memberPaths(Attachment a) {
        return a.members().stream().map(m -> client.root.resolve("dev/disk/by-id/nvme-uuid." + Names.namespaceUuid(
                Names.subsystem(a.nqn(), m.target()), m.segment())).toString()).toList();
    }
}
