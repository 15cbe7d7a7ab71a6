package io.nvmesh.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb built beside the archive: its files and control data as dpkg-deb reads them, and, where this runs as
 * root with dpkg (CI does), an install, a run of the installed command (as root and as the nvmesh user), a remove
 * and a purge that leave the machine as it was. The install test does nothing on a machine where nvmesh is
 * installed already or its paths exist: it will not touch an operator's installation.
 */
class DebianPackageIT {

    private static final Map<String, String> ROOT_ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG", "C.UTF-8", "DEBIAN_FRONTEND", "noninteractive");
    private static final List<Path> INSTALLED_PATHS = List.of(Path.of("/usr/share/nvmesh"), Path.of("/etc/nvmesh"),
            Path.of("/var/lib/nvmesh"), Path.of("/usr/bin/nvmesh"), Path.of("/var/cache/nvmesh"));

    @TempDir
    static Path tmp;

    static Path deb;

    @BeforeAll
    static void findDeb() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("nvmesh.target")))) {
            List<Path> debs = files.filter(f -> f.getFileName().toString().matches("nvmesh_.*_all\\.deb")).toList();
            assertThat(debs).hasSize(1);
            deb = debs.get(0);
        }
    }

    @Test
    void installsToTheUsualPlaces() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-deb")), "dpkg-deb is not installed");
        String contents = run("dpkg-deb", "-c", deb.toString()).out();
        assertThat(contents).containsPattern("-rwxr-xr-x .* \\./usr/share/nvmesh/bin/nvmesh\\n")
                .contains("./usr/share/nvmesh/lib/nvmesh-cli.jar\n")
                .contains("./usr/share/nvmesh/lib/service/nvmesh-reconciler-service-")
                .contains("./usr/share/nvmesh/samples/inventory/fleet.yaml\n")
                .contains("./usr/bin/nvmesh -> /usr/share/nvmesh/bin/nvmesh\n")
                .contains("./etc/nvmesh/r1.yaml\n", "./etc/nvmesh/sim.env\n")
                .contains("./lib/systemd/system/nvmesh-reconciler@.service\n")
                .contains("./lib/systemd/system/nvmesh-sim.service\n")
                .contains("./usr/share/bash-completion/completions/nvmesh\n")
                .contains("./usr/share/man/man1/nvmesh.1.gz\n", "./usr/share/man/man1/nvmesh-apply.1.gz\n",
                        "./usr/share/man/man1/nvmesh-reconciler.1.gz\n")
                .contains("./usr/share/doc/nvmesh/copyright\n", "./usr/share/doc/nvmesh/NOTICE\n");
        assertThat(contents).as("owned by root").doesNotContainPattern("(?m)^\\S+ (?!root/root)");
    }

    @Test
    void saysWhatItNeedsAndKeepsTheConfigurationAsConffiles() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-deb")), "dpkg-deb is not installed");
        assertThat(run("dpkg-deb", "-f", deb.toString(), "Package", "Architecture", "Depends").out().lines())
                .containsExactly("Package: nvmesh", "Architecture: all",
                        "Depends: openjdk-17-jre-headless | java17-runtime-headless");
        assertThat(run("dpkg-deb", "-f", deb.toString(), "Version").out().strip())
                .isEqualTo(Distribution.version().replace("-SNAPSHOT", "~SNAPSHOT"));
        assertThat(run("dpkg-deb", "-I", deb.toString(), "conffiles").out().lines())
                .containsExactlyInAnyOrder("/etc/nvmesh/r1.yaml", "/etc/nvmesh/sim.env");
        assertThat(run("dpkg-deb", "-I", deb.toString(), "postinst").out())
                .contains("useradd --system").contains("install -d -o nvmesh -g nvmesh -m 0750 /var/lib/nvmesh");
        String info = run("dpkg-deb", "-I", deb.toString()).out();
        assertThat(info).containsPattern("\\d+ bytes, +\\d+ lines +\\* +postinst")
                .containsPattern("\\* +prerm").containsPattern("\\* +postrm");
    }

    @Test
    void installsRunsAndRemovesCleanly() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "dpkg is not installed");
        assumeTrue(run("id", "-u").out().strip().equals("0"), "not root: dpkg -i is not possible here");
        assumeTrue(run("dpkg-query", "-W", "-f", "${Status}", "nvmesh").exit() != 0
                        || !run("dpkg-query", "-W", "-f", "${Status}", "nvmesh").out().contains("installed"),
                "nvmesh is installed on this machine: not touching it");
        assumeTrue(INSTALLED_PATHS.stream().noneMatch(Files::exists),
                "nvmesh's paths exist on this machine: not touching them");
        boolean userExisted = run("getent", "passwd", "nvmesh").exit() == 0;
        try {
            Distribution.Run install = run("dpkg", "-i", deb.toString());
            assertThat(install.exit()).as("%s", install).isZero();

            Distribution.Run version = Distribution.run(tmp, Map.of("PATH", "/usr/bin:/bin", "HOME", tmp.toString()),
                    Duration.ofMinutes(2), "/usr/bin/nvmesh", "--version");
            assertThat(version.exit()).as("%s", version).isZero();
            assertThat(version.out()).startsWith("nvmesh " + Distribution.version());
            // As the service's user: the installation is read-only to it, the class-data archive goes to its home.
            Distribution.Run asUser = run("runuser", "-u", "nvmesh", "--", "/usr/bin/nvmesh", "--version");
            assertThat(asUser.exit()).as("%s", asUser).isZero();
            assertThat(asUser.out()).startsWith("nvmesh " + Distribution.version());

            assertThat(run("getent", "passwd", "nvmesh").out()).contains(":/var/lib/nvmesh:");
            assertThat(run("stat", "-c", "%U:%G %a", "/var/lib/nvmesh").out().strip()).isEqualTo("nvmesh:nvmesh 750");
            assertThat(run("stat", "-c", "%U:%G %a", "/etc/nvmesh").out().strip()).isEqualTo("root:nvmesh 750");
            assertThat(Path.of("/usr/share/bash-completion/completions/nvmesh")).isRegularFile();
            if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
                // The installed units as they are, man pages included (Documentation=man:...).
                assertThat(SystemdUnitsIT.verifyWithManPages("/lib/systemd/system/nvmesh-reconciler@r1.service"))
                        .isEmpty();
            }

            Distribution.Run remove = run("dpkg", "-r", "nvmesh");
            assertThat(remove.exit()).as("%s", remove).isZero();
            assertThat(Path.of("/usr/share/nvmesh")).doesNotExist();
            assertThat(Path.of("/usr/bin/nvmesh")).doesNotExist();
            assertThat(Path.of("/etc/nvmesh/r1.yaml")).as("conffiles stay until purge").exists();

            Distribution.Run purge = run("dpkg", "-P", "nvmesh");
            assertThat(purge.exit()).as("%s", purge).isZero();
            assertThat(INSTALLED_PATHS).allMatch(p -> !Files.exists(p), "nothing of nvmesh is left");
            assertThat(run("dpkg-query", "-W", "-f", "${Status}", "nvmesh").out()).doesNotContain("installed");
        } finally {
            // Whatever happened above: the machine as it was (this is CI's machine too).
            run("dpkg", "-P", "nvmesh");
            if (!userExisted && run("getent", "passwd", "nvmesh").exit() == 0) {
                run("userdel", "nvmesh");
            }
        }
        assertThat(run("getent", "passwd", "nvmesh").exit() == 0).isEqualTo(userExisted);
    }

    private static Distribution.Run run(String... command) throws Exception {
        return Distribution.run(tmp, ROOT_ENV, Duration.ofMinutes(2), command);
    }
}
