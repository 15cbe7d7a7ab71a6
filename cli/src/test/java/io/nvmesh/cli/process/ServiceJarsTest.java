package io.nvmesh.cli.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceJarsTest {

    @TempDir
    Path home;

    @Test
    void runsAServiceMainFromTheBuiltJarWithTheLaunchersFlags() throws Exception {
        Path target = Files.createDirectories(home.resolve("reconciler/service/target/lib"));
        Files.writeString(target.resolveSibling("nvmesh-reconciler-service-0.1.0-SNAPSHOT.jar"), "");

        ServiceJars jars = ServiceJars.in(home, List.of("--add-opens=java.base/java.lang=ALL-UNNAMED"));
        List<String> cmd = jars.command(ServiceJars.RECONCILER_MAIN, List.of("--config", "r1.yaml"));

        assertThat(cmd.get(0)).endsWith("java");
        assertThat(cmd).containsSubsequence("--add-opens=java.base/java.lang=ALL-UNNAMED", "-cp",
                ServiceJars.RECONCILER_MAIN, "--config", "r1.yaml");
        assertThat(cmd.get(cmd.indexOf("-cp") + 1)).contains("nvmesh-reconciler-service-0.1.0-SNAPSHOT.jar")
                .endsWith("lib/*");
    }

    @Test
    void moreFlagsComeAfterTheLaunchersAndBeforeTheClassPath() throws Exception {
        Path target = Files.createDirectories(home.resolve("reconciler/service/target/lib"));
        Files.writeString(target.resolveSibling("nvmesh-reconciler-service-0.1.0-SNAPSHOT.jar"), "");

        ServiceJars jars = ServiceJars.in(home, List.of("-Dchronicle.analytics.disable=true"))
                .withMoreFlags(List.of("-XX:+UseSerialGC", "-Xmx512m"));
        List<String> cmd = jars.command(ServiceJars.SIM_MAIN, List.of());

        assertThat(cmd.subList(1, cmd.indexOf("-cp"))).containsExactly("-Dchronicle.analytics.disable=true",
                "-XX:+UseSerialGC", "-Xmx512m");
    }

    @Test
    void aDistributionsServiceUsesTheLibrariesItSharesWithTheCommandLine() throws Exception {
        Path service = Files.createDirectories(home.resolve("lib/service"));
        Files.createDirectories(home.resolve("lib/lib"));
        Files.writeString(service.resolve("nvmesh-reconciler-service-0.1.0.jar"), "");

        ServiceJars jars = ServiceJars.in(home, List.of());

        assertThat(jars.jar()).isEqualTo(service.resolve("nvmesh-reconciler-service-0.1.0.jar"));
        assertThat(jars.libDir()).isEqualTo(home.resolve("lib/lib"));
        List<String> cmd = jars.command(ServiceJars.SIM_MAIN, List.of());
        assertThat(cmd.get(cmd.indexOf("-cp") + 1)).isEqualTo(service
                .resolve("nvmesh-reconciler-service-0.1.0.jar") + java.io.File.pathSeparator + home.resolve("lib/lib/*"));
    }

    @Test
    void saysHowToBuildTheServiceWhenItIsMissing() {
        assertThatThrownBy(() -> ServiceJars.in(home, List.of())).hasMessageContaining("mvn -B package");
    }
}
