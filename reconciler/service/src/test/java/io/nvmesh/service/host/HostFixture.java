package io.nvmesh.service.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A host's kernel interfaces as a folder: {@code sys/class/nvme}, {@code sys/block}, an empty nvmet configfs tree,
 * {@code dev} and {@code etc/nvme/hostnqn}. The shapes are those of real hosts (attribute names and values as a 6.x
 * kernel shows them): a PCIe drive with one namespace ({@code nvme0n1}), a PCIe controller with two namespaces under
 * native multipath ({@code nvme1c1n1}, {@code nvme1c1n2} → {@code nvme1n1}, {@code nvme1n2}), an nvme-tcp controller
 * (a fabrics connection to another storage system: never a drive, never disconnected), a dead controller, and a
 * SATA disk for the block-device allow-list.
 */
final class HostFixture {

    static final String PM9A3 = "S6EUNS0W123456";
    static final String CM6 = "X0R0A0A1T1M8";
    static final String DEAD = "PHLJ0123004P1P0FGN";
    static final String HOST_NQN = "nqn.2014-08.org.nvmexpress:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427";

    final Path root;

    private HostFixture(Path root) {
        this.root = root;
    }

    HostRoots roots() {
        return HostRoots.under(root);
    }

    Path sys() {
        return root.resolve("sys");
    }

    /** The standard host of the tests and of the dry-run golden file. */
    static HostFixture standard(Path root) {
        return standard(root, "");
    }

    /** The standard host with {@code tag} appended to its drives' serials, so that several hosts make one fleet. */
    static HostFixture standard(Path root, String tag) {
        HostFixture f = new HostFixture(root);
        f.pcie("nvme0", PM9A3 + tag, "SAMSUNG MZQL23T8HCLS-00A07", "GDC5602Q", 0, "0000:41:00.0");
        f.namespace("nvme0", "nvme0n1", 1, "259:0", 7501476528L);
        f.pcie("nvme1", CM6 + tag, "KIOXIA KCM61VUL3T20", "0107", 1, "0000:c1:00.0");
        f.multipathNamespace("nvme1", 1, 1, "259:2", 3125627568L);
        f.multipathNamespace("nvme1", 1, 2, "259:3", 3125627568L);
        f.tcp("nvme2", "nqn.2019-05.com.example:array-7", "traddr=10.0.0.19,trsvcid=4420,"
                + "src_addr=10.0.0.11");
        f.namespace("nvme2", "nvme2n1", 1, "259:5", 2097152L);
        f.pcie("nvme3", DEAD + tag, "INTEL SSDPE2KX040T8", "VDV10131", 0, "0000:42:00.0");
        f.write("sys/class/nvme/nvme3/state", "dead");
        f.namespace("nvme3", "nvme3n1", 1, "259:6", 7814037168L);
        f.sata("sda", "naa.5000c500a1b2c3d4", "ST4000NM0035-1V4", "TN03", "8:0", 7814037168L);
        f.write("etc/nvme/hostnqn", HOST_NQN);
        // as `modprobe nvmet` leaves configfs: the three top groups, empty
        f.mkdirs("sys/kernel/config/nvmet/subsystems");
        f.mkdirs("sys/kernel/config/nvmet/ports");
        f.mkdirs("sys/kernel/config/nvmet/hosts");
        f.mkdirs("dev");
        return f;
    }

    void pcie(String ctrl, String serial, String model, String firmware, int numa, String pciAddress) {
        String c = "sys/class/nvme/" + ctrl + "/";
        // sysfs pads serial and model with spaces to the field width, as the controller reports them
        write(c + "serial", String.format("%-20s", serial));
        write(c + "model", String.format("%-40s", model));
        write(c + "firmware_rev", firmware);
        write(c + "transport", "pcie");
        write(c + "state", "live");
        write(c + "address", pciAddress);
        write(c + "numa_node", Integer.toString(numa));
        write(c + "subsysnqn", "nqn.2014.08.org.nvmexpress:144d144d" + serial + model);
        write(c + "cntlid", "6");
        write(c + "dev", "240:" + ctrl.substring(4));
    }

    void tcp(String ctrl, String nqn, String address) {
        String c = "sys/class/nvme/" + ctrl + "/";
        write(c + "serial", "f1e2d3c4b5a69788");
        write(c + "model", "Linux");
        write(c + "firmware_rev", "6.8.0-45");
        write(c + "transport", "tcp");
        write(c + "state", "live");
        write(c + "address", address);
        write(c + "subsysnqn", nqn);
        write(c + "numa_node", "-1");
    }

    /** A namespace of a controller without native multipath: {@code class/nvme/nvme0/nvme0n1}. */
    void namespace(String ctrl, String block, int nsid, String dev, long sectors) {
        mkdirs("sys/class/nvme/" + ctrl + "/" + block);
        block(block, nsid, dev, sectors);
    }

    /** A namespace under native multipath: the path {@code nvme1c1n2} under the controller, the head in block. */
    void multipathNamespace(String ctrl, int ctrlInstance, int nsid, String dev, long sectors) {
        int subsys = Integer.parseInt(ctrl.substring(4));
        mkdirs("sys/class/nvme/" + ctrl + "/nvme" + subsys + "c" + ctrlInstance + "n" + nsid);
        block("nvme" + subsys + "n" + nsid, nsid, dev, sectors);
    }

    void block(String block, int nsid, String dev, long sectors) {
        String b = "sys/block/" + block + "/";
        write(b + "size", Long.toString(sectors));
        write(b + "dev", dev);
        write(b + "nsid", Integer.toString(nsid));
        write(b + "queue/logical_block_size", "512");
    }

    void sata(String block, String wwid, String model, String rev, String dev, long sectors) {
        String b = "sys/block/" + block + "/";
        write(b + "size", Long.toString(sectors));
        write(b + "dev", dev);
        write(b + "device/wwid", wwid);
        write(b + "device/model", model);
        write(b + "device/rev", rev);
        write(b + "device/state", "running");
    }

    /** Pulls a controller out, as a hot removal leaves sysfs. */
    void remove(String ctrl, String... blocks) {
        delete(sys().resolve("class/nvme").resolve(ctrl));
        for (String b : blocks) {
            delete(sys().resolve("block").resolve(b));
        }
    }

    void write(String relative, String value) {
        Path p = root.resolve(relative);
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, value + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void mkdirs(String relative) {
        try {
            Files.createDirectories(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.delete(x);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
