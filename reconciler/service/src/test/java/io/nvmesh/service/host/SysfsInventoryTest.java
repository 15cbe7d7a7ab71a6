package io.nvmesh.service.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.DriveHealth;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives and their health read from fixture sysfs trees and smart logs shaped like real hosts'. */
class SysfsInventoryTest {

    @TempDir
    Path root;

    @Test
    void readsPcieNamespacesAndSkipsFabricsControllers() {
        HostFixture host = HostFixture.standard(root);
        List<HostDrive> drives = new SysfsInventory(host.sys(), List.of()).read();

        assertThat(drives).extracting(HostDrive::block).containsExactly("nvme0n1", "nvme1n1", "nvme1n2", "nvme3n1");
        HostDrive pm9a3 = drives.get(0);
        assertThat(pm9a3.serial()).isEqualTo(HostFixture.PM9A3);
        assertThat(pm9a3.drive().capacity()).isEqualTo(7501476528L * 512);
        assertThat(pm9a3.devNumber()).isEqualTo("259:0");
        assertThat(pm9a3.controller()).isEqualTo("nvme0");
        assertThat(pm9a3.drive().labels()).isEqualTo(Map.of("model", "SAMSUNG-MZQL23T8HCLS-00A07",
                "firmware", "GDC5602Q", "numa", "0", "transport", "pcie"));
        assertThat(drives).extracting(HostDrive::serial).as("a second namespace is named after its controller")
                .contains(HostFixture.CM6, HostFixture.CM6 + "-n2");
        assertThat(drives.get(3).drive().health()).as("a dead controller's namespace").isEqualTo(DriveHealth.FAILED);
        assertThat(drives.get(3).why()).isEqualTo("controller nvme3 is dead");
        assertThat(new SysfsInventory(host.sys(), List.of()).fabrics()).singleElement().satisfies(c -> {
            assertThat(c.transport()).isEqualTo("tcp");
            assertThat(c.reaches("10.0.0.19", "4420")).isTrue();
            assertThat(c.reaches("10.0.0.1", "4420")).isFalse();
        });
    }

    @Test
    void offersOtherBlockDevicesOnlyWhenAllowListed() {
        HostFixture host = HostFixture.standard(root);
        assertThat(new SysfsInventory(host.sys(), List.of()).read()).extracting(HostDrive::block)
                .doesNotContain("sda");
        HostDrive sda = new SysfsInventory(host.sys(), List.of("sda", "sdz")).read().stream()
                .filter(d -> d.block().equals("sda")).findFirst().orElseThrow();
        assertThat(sda.serial()).isEqualTo("naa.5000c500a1b2c3d4");
        assertThat(sda.drive().labels()).containsEntry("transport", "block").containsEntry("model",
                "ST4000NM0035-1V4");
    }

    @Test
    void reportsHotAddRemovalAndSmartHealthAsChanges() {
        HostFixture host = HostFixture.standard(root);
        FakeHostTools tools = new FakeHostTools(host, Map.of());
        HostInventory inventory = new HostInventory(new SysfsInventory(host.sys(), List.of()), tools,
                host.roots().dev(), true);
        assertThat(inventory.refresh()).as("first read").isTrue();
        assertThat(inventory.refresh()).as("nothing changed").isFalse();
        assertThat(tools.calls()).contains(List.of("nvme", "smart-log", root.resolve("dev/nvme0").toString(), "-o",
                "json"));

        tools.smartLog("nvme0", "{\"critical_warning\":4,\"temperature\":318,\"percent_used\":12,"
                + "\"media_errors\":37}");
        assertThat(inventory.refresh()).isTrue();
        assertThat(inventory.bySerial(HostFixture.PM9A3).orElseThrow().drive().health()).isEqualTo(DriveHealth.FAILED);
        assertThat(inventory.bySerial(HostFixture.PM9A3).orElseThrow().why()).isEqualTo(
                "smart-log critical_warning 0x4");

        host.remove("nvme1", "nvme1n1", "nvme1n2");
        assertThat(inventory.refresh()).as("hot removal").isTrue();
        assertThat(inventory.reported()).extracting(d -> d.serial()).doesNotContain(HostFixture.CM6);

        host.pcie("nvme4", "S64ANS0T515282", "SAMSUNG MZ1L21T9HCLS-00A07", "GDC7302Q", 1, "0000:c2:00.0");
        host.namespace("nvme4", "nvme4n1", 1, "259:9", 3750748848L);
        assertThat(inventory.refresh()).as("hot add").isTrue();
        assertThat(inventory.reported()).extracting(d -> d.serial()).contains("S64ANS0T515282");
    }

    @Test
    void withoutNvmeCliHealthComesFromTheControllerState() {
        HostFixture host = HostFixture.standard(root);
        FakeHostTools tools = new FakeHostTools(host, Map.of());
        tools.withoutNvmeCli();
        HostInventory inventory = new HostInventory(new SysfsInventory(host.sys(), List.of()), tools,
                host.roots().dev(), true);
        inventory.refresh();
        inventory.refresh();
        assertThat(tools.calls()).as("asked once, then no more").hasSize(1);
        assertThat(inventory.bySerial(HostFixture.PM9A3).orElseThrow().drive().health()).isEqualTo(DriveHealth.OK);
    }

    @Test
    void mapsSmartLogsOfBothNvmeCliGenerations() {
        assertThat(SmartLog.parse(FakeHostTools.HEALTHY_SMART).health()).isEqualTo(DriveHealth.OK);
        assertThat(SmartLog.parse("{\"critical_warning\":{\"value\":8},\"percent_used\":1}").health())
                .as("nvme-cli 2.x verbose form, read-only").isEqualTo(DriveHealth.FAILED);
        assertThat(SmartLog.parse("{\"critical_warning\":2,\"temperature\":358}").health()).isEqualTo(
                DriveHealth.CORDONED);
        assertThat(SmartLog.parse("{\"critical_warning\":0,\"percent_used\":104}").why())
                .isEqualTo("smart-log percent_used 104");
        assertThat(SmartLog.parse("{\"critical_warning\":0,\"media_errors\":5}").health()).isEqualTo(DriveHealth.OK);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SmartLog.parse("Usage: nvme smart-log"))
                .hasMessageStartingWith("smart-log is not JSON");
    }
}
