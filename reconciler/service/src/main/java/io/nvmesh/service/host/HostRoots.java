package io.nvmesh.service.host;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the host's kernel interfaces are: {@code /sys}, the nvmet configfs tree, {@code /dev} and {@code /etc}. Tests
 * and dry runs point them at fixture trees; nothing in this package reads an absolute path of its own.
 *
 * @param sys    the sysfs root ({@code /sys}): {@code class/nvme}, {@code block}
 * @param nvmet  the nvmet configfs tree ({@code /sys/kernel/config/nvmet})
 * @param dev    the device root ({@code /dev}): {@code mapper}, {@code md}, {@code disk/by-id}, {@code nvmesh}
 * @param etc    the configuration root ({@code /etc}): {@code nvme/hostnqn}
 */
record HostRoots(Path sys, Path nvmet, Path dev, Path etc) {

    public static final HostRoots LINUX = new HostRoots(Path.of("/sys"), Path.of("/sys/kernel/config/nvmet"),
            Path.of("/dev"), Path.of("/etc"));

    public HostRoots {
        Objects.requireNonNull(sys, "sys");
        Objects.requireNonNull(nvmet, "nvmet");
        Objects.requireNonNull(dev, "dev");
        Objects.requireNonNull(etc, "etc");
    }

    /** Every root under one folder, shaped like a host's: {@code <root>/sys}, {@code <root>/dev} ... */
    public static HostRoots under(Path root) {
        return new HostRoots(root.resolve("sys"), root.resolve("sys/kernel/config/nvmet"), root.resolve("dev"),
                root.resolve("etc"));
    }
}
