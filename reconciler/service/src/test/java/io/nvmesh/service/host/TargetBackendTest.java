package io.nvmesh.service.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.service.agent.SegmentLayout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A target serving layouts on a fixture host: the configfs tree it writes is read back, the dmsetup command lines are
 * asserted, applying a layout twice plans nothing, and only a layout without a segment tears it down.
 */
class TargetBackendTest {

    private static final long GIB = 1L << 30;

    @TempDir
    Path root;

    private HostFixture host;
    private FakeHostTools tools;
    private Configfs configfs;
    private TargetBackend backend;
    private HostExecutor executor;
    private List<HostDrive> drives;

    @BeforeEach
    void setUp() {
        host = HostFixture.standard(root);
        tools = new FakeHostTools(host, Map.of());
        configfs = Configfs.emulated(host.roots().nvmet());
        backend = new TargetBackend("t-001", configfs, tools, host.roots().dev(), new TargetBackend.Port("1", "tcp",
                "ipv4", "10.0.0.11", "4420", List.of(HostFixture.HOST_NQN)));
        executor = new HostExecutor(configfs, tools, java.time.Duration.ofSeconds(1));
        drives = new SysfsInventory(host.sys(), List.of()).read();
    }

    @Test
    void servesSegmentsThroughDeviceMapperAndNvmetAndRereadingPlansNothing() throws Exception {
        List<SegmentLayout> layout = List.of(new SegmentLayout("db-01", 0, HostFixture.PM9A3, GIB, 10 * GIB),
                new SegmentLayout("db-01", 3, HostFixture.CM6 + "-n2", 0, 10 * GIB),
                new SegmentLayout("logs", 1, HostFixture.PM9A3, 11 * GIB, 2 * GIB));
        List<HostOp> plan = backend.plan(layout, drives);
        assertThat(plan).noneMatch(HostOp::teardown);
        executor.perform(plan);

        assertThat(tools.changes()).containsExactly(
                "dmsetup create nvmesh-db-01.s0 --table 0 20971520 linear 259:0 2097152",
                "dmsetup create nvmesh-db-01.s3 --table 0 20971520 linear 259:3 0",
                "dmsetup create nvmesh-logs.s1 --table 0 4194304 linear 259:0 23068672");
        Path nvmet = host.roots().nvmet();
        Path port = nvmet.resolve("ports/1");
        assertThat(read(port.resolve("addr_trtype"))).isEqualTo("tcp");
        assertThat(read(port.resolve("addr_adrfam"))).isEqualTo("ipv4");
        assertThat(read(port.resolve("addr_traddr"))).isEqualTo("10.0.0.11");
        assertThat(read(port.resolve("addr_trsvcid"))).isEqualTo("4420");
        String nqn = "nqn.2024-01.io.nvmesh:volume:db-01:t-001";
        Path sub = nvmet.resolve("subsystems").resolve(nqn);
        assertThat(read(sub.resolve("attr_allow_any_host"))).isEqualTo("0");
        assertThat(Files.readSymbolicLink(sub.resolve("allowed_hosts").resolve(HostFixture.HOST_NQN)))
                .isEqualTo(nvmet.resolve("hosts").resolve(HostFixture.HOST_NQN));
        assertThat(configfs.list(sub.resolve("namespaces"))).containsExactly("1", "4");
        assertThat(read(sub.resolve("namespaces/1/device_path"))).isEqualTo(root.resolve(
                "dev/mapper/nvmesh-db-01.s0").toString());
        assertThat(read(sub.resolve("namespaces/4/device_uuid"))).isEqualTo(Names.namespaceUuid(nqn, 3).toString());
        assertThat(read(sub.resolve("namespaces/4/enable"))).isEqualTo("1");
        assertThat(Files.readSymbolicLink(port.resolve("subsystems").resolve(nqn))).isEqualTo(sub);
        assertThat(configfs.list(port.resolve("subsystems"))).containsExactly(nqn,
                "nqn.2024-01.io.nvmesh:volume:logs:t-001");
        assertThat(backend.served(layout)).isEqualTo("serving 3 segments of 2 volumes on tcp 10.0.0.11:4420");

        assertThat(backend.plan(layout, drives)).as("the same layout again").isEmpty();
    }

    @Test
    void tearsDownOnlyWhatTheLayoutNoLongerNames() throws Exception {
        List<SegmentLayout> both = List.of(new SegmentLayout("db-01", 0, HostFixture.PM9A3, 0, GIB),
                new SegmentLayout("logs", 0, HostFixture.PM9A3, GIB, GIB));
        executor.perform(backend.plan(both, drives));
        // an administrator's own subsystem beside ours is never touched
        Files.createDirectories(host.roots().nvmet().resolve("subsystems/nqn.2014-08.org.example:scratch/namespaces"));

        List<HostOp> plan = backend.plan(both.subList(0, 1), drives);
        String nqn = "nqn.2024-01.io.nvmesh:volume:logs:t-001";
        Path nvmet = host.roots().nvmet();
        assertThat(plan).extracting(HostOp::render).containsExactly(
                "rm " + nvmet.resolve("ports/1/subsystems/" + nqn),
                "echo 0 > " + nvmet.resolve("subsystems/" + nqn + "/namespaces/1/enable"),
                "rmdir " + nvmet.resolve("subsystems/" + nqn + "/namespaces/1"),
                "rm " + nvmet.resolve("subsystems/" + nqn + "/allowed_hosts/" + HostFixture.HOST_NQN),
                "rmdir " + nvmet.resolve("subsystems/" + nqn),
                "dmsetup remove nvmesh-logs.s0");
        assertThat(plan).allMatch(HostOp::teardown);
        executor.perform(plan);
        assertThat(configfs.list(nvmet.resolve("subsystems"))).containsExactly(
                "nqn.2014-08.org.example:scratch", "nqn.2024-01.io.nvmesh:volume:db-01:t-001");
        assertThat(backend.plan(both.subList(0, 1), drives)).isEmpty();
    }

    @Test
    void aSegmentMovedBetweenDrivesOfTheHostSwapsItsTable() {
        executor.perform(backend.plan(List.of(new SegmentLayout("db-01", 0, HostFixture.PM9A3, 0, GIB)), drives));
        List<HostOp> plan = backend.plan(List.of(new SegmentLayout("db-01", 0, HostFixture.CM6, 0, GIB)), drives);
        assertThat(plan).extracting(HostOp::render).containsExactly(
                "dmsetup load nvmesh-db-01.s0 --table '0 2097152 linear 259:2 0'",
                "dmsetup resume nvmesh-db-01.s0");
    }

    @Test
    void refusesALayoutItCannotServeAndChangesNothing() {
        assertThatThrownBy(() -> backend.plan(List.of(new SegmentLayout("db-01", 0, "S0MEWHERE-ELSE", 0, GIB)),
                drives)).hasMessage("drive S0MEWHERE-ELSE is not on t-001");
        assertThatThrownBy(() -> backend.plan(List.of(new SegmentLayout("../../etc", 0, HostFixture.PM9A3, 0, GIB)),
                drives)).hasMessage("not a volume name");
        assertThatThrownBy(() -> backend.plan(List.of(new SegmentLayout("db-01", 0, HostFixture.PM9A3,
                7501476528L * 512, GIB)), drives)).hasMessageContaining("is not within drive");
        assertThat(tools.changes()).isEmpty();
        assertThat(configfs.list(host.roots().nvmet())).containsExactly("hosts", "ports", "subsystems");
        assertThat(configfs.list(host.roots().nvmet().resolve("subsystems"))).isEmpty();
    }

    @Test
    void refusesToReusePortConfiguredOtherwise() throws Exception {
        Path port = host.roots().nvmet().resolve("ports/1");
        Files.createDirectories(port);
        Files.writeString(port.resolve("addr_trtype"), "rdma\n");
        Files.writeString(port.resolve("addr_adrfam"), "ipv4\n");
        Files.writeString(port.resolve("addr_traddr"), "10.0.0.11\n");
        Files.writeString(port.resolve("addr_trsvcid"), "4420\n");
        assertThatThrownBy(() -> backend.plan(List.of(), drives)).hasMessage("nvmet port 1 exists with addr_trtype "
                + "rdma; the agent's configuration says tcp 10.0.0.11:4420 (choose another port id)");
    }

    private static String read(Path p) throws Exception {
        return Files.readString(p).strip();
    }
}
