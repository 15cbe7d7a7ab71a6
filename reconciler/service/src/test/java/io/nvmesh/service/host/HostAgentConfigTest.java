package io.nvmesh.service.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HostAgentConfigTest {

    @Test
    void readsATargetsValuesAsWrittenAndFillsTheDefaults() {
        HostAgentConfig c = HostAgentConfig.parse("""
                nodeId: stor-01
                role: both
                connect: [https://10.0.0.5:7420]
                labels: {rack: 11}
                smartLog: False
                target:
                  listen: "[fd00::11]:4420"
                  allowedHosts: [nqn.2014-08.org.nvmexpress:uuid:4c4c4544-0042-3010-8058-b7c04f4b4d32]
                client:
                  targets: {stor-02: 10.0.0.12:4421}
                paths: {sys: fixture/sys}
                """, "agent.yaml", Path.of("/etc/nvmesh"));

        assertThat(c.connect()).containsExactly(URI.create("https://10.0.0.5:7420"));
        assertThat(c.labels()).containsEntry("rack", "11");
        assertThat(c.smartLog()).isFalse();
        assertThat(c.pollInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.port()).isEqualTo(new TargetBackend.Port("1", "tcp", "ipv6", "fd00::11", "4420",
                java.util.List.of("nqn.2014-08.org.nvmexpress:uuid:4c4c4544-0042-3010-8058-b7c04f4b4d32")));
        assertThat(c.targets()).containsEntry("stor-02", new ClientBackend.Address("tcp", "10.0.0.12", "4421"));
        assertThat(c.defaultPort()).isEqualTo(4420);
        assertThat(c.roots().sys()).isEqualTo(Path.of("/etc/nvmesh/fixture/sys"));
        assertThat(c.roots().dev()).isEqualTo(HostRoots.LINUX.dev());
    }

    @Test
    void meaningChecksReportBesideTheSchemasProblemsAtTheirLines() {
        HostAgentConfig.InvalidHostConfig e = catchThrowableOfType(HostAgentConfig.InvalidHostConfig.class,
                () -> HostAgentConfig.parse("""
                        nodeId: app-01
                        role: client
                        connect: [https://10.0.0.5:7420]
                        pollInterval: 0s
                        target: {listen: 10.0.0.11:4420}
                        client:
                          targets: {stor-01: nowhere}
                          deviceWait: soon
                        """, "agent.yaml", Path.of("/")));

        assertThat(e.getMessage().lines()).containsExactly(
                "agent.yaml:4:15: pollInterval: must be positive",
                "agent.yaml:5:9: target: is for role target or both",
                "agent.yaml:7:22: client.targets.stor-01: is not address:port",
                "agent.yaml:8:15: client.deviceWait: \"soon\" is not a duration (use e.g. 500ms, 2s, 1m)");
    }
}
