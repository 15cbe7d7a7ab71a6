package io.nvmesh.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped units: what they must say (one instance per configuration, the launcher, the check before start,
 * restart on failure, the sandbox), and {@code systemd-analyze verify} finds nothing to say about them where it is
 * installed. verify needs the commands a unit names to exist, so /usr/bin/nvmesh and /etc/nvmesh are pointed at the
 * unpacked archive in a copy; the Debian package's install test verifies the installed units as they are.
 */
class SystemdUnitsIT {

    private static final Path ANALYZE = Path.of("/usr/bin/systemd-analyze");

    @TempDir
    static Path tmp;

    static Distribution dist;

    @BeforeAll
    static void unpack() throws Exception {
        dist = Distribution.unpack(tmp.resolve("unpacked"));
    }

    @Test
    void reconcilerUnitRunsOneInstancePerConfigurationInASandbox() throws Exception {
        String unit = Files.readString(dist.home.resolve("systemd/nvmesh-reconciler@.service"));
        assertThat(unit.lines()).contains(
                "ExecStartPre=/usr/bin/nvmesh reconciler --config /etc/nvmesh/%i.yaml --check",
                "ExecStart=/usr/bin/nvmesh reconciler --config /etc/nvmesh/%i.yaml",
                "Restart=on-failure", "User=nvmesh", "StateDirectory=nvmesh/%i", "ProtectSystem=strict",
                "NoNewPrivileges=yes", "PrivateTmp=yes", "WantedBy=multi-user.target");
        // The JVM flags come from the launcher (/usr/bin/nvmesh), never from a copy in the unit.
        assertThat(unit.lines().filter(l -> !l.startsWith("#"))).noneMatch(l -> l.contains("java ")
                || l.contains("--add-opens"));
    }

    @Test
    void systemdFindsNothingToSayAboutTheUnits() throws Exception {
        assumeTrue(Files.isExecutable(ANALYZE), "systemd-analyze is not installed");
        Path units = Files.createDirectories(tmp.resolve("units"));
        for (String name : new String[] {"nvmesh-reconciler@.service", "nvmesh-sim.service"}) {
            Files.writeString(units.resolve(name), Files.readString(dist.home.resolve("systemd/" + name))
                    .replace("/usr/bin/nvmesh", dist.bin().toString())
                    .replace("/etc/nvmesh/", dist.home.resolve("conf") + "/"));
        }
        assertThat(verify(units.resolve("nvmesh-reconciler@r1.service"))).isEmpty();
        assertThat(verify(units.resolve("nvmesh-sim.service"))).isEmpty();
    }

    @Test
    void theVerificationCanFail() throws Exception {
        assumeTrue(Files.isExecutable(ANALYZE), "systemd-analyze is not installed");
        Path units = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(units.resolve("broken@.service"), Files.readString(
                dist.home.resolve("systemd/nvmesh-reconciler@.service")).replace("ProtectSystem=strict",
                "ProtectSystem=strickt").replace("/usr/bin/nvmesh", dist.bin().toString()));
        assertThat(verify(units.resolve("broken@r1.service"))).contains("strickt");
    }

    /** As {@link #verify}, for an installed unit by its path, looking up the man pages it names. */
    static String verifyWithManPages(String unit) throws Exception {
        Distribution.Run run = Distribution.run(Path.of("/"), Map.of("PATH", "/usr/bin:/bin"), Duration.ofMinutes(1),
                ANALYZE.toString(), "verify", unit);
        return (run.out() + run.err()).strip() + (run.exit() == 0 ? "" : " (exit " + run.exit() + ")");
    }

    /** What systemd-analyze verify says about a unit (nothing when all is well); man pages are not looked up. */
    static String verify(Path unit) throws Exception {
        Distribution.Run run = Distribution.run(unit.getParent(), Map.of("PATH", "/usr/bin:/bin"),
                Duration.ofMinutes(1), ANALYZE.toString(), "verify", "--man=no", unit.toString());
        return (run.out() + run.err()).strip() + (run.exit() == 0 ? "" : " (exit " + run.exit() + ")");
    }
}
