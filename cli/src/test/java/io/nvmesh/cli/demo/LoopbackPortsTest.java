package io.nvmesh.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoopbackPortsTest {

    @Test
    void portsAreDistinctBindableAndBelowTheEphemeralRange() throws IOException {
        int low = LoopbackPorts.ephemeralLow(LoopbackPorts.EPHEMERAL_RANGE);

        Set<Integer> ports = LoopbackPorts.free(5);

        assertThat(ports).hasSize(5).allSatisfy(p -> assertThat(p).isBetween(LoopbackPorts.LOWEST, low - 1));
        for (int p : ports) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
            }
        }
    }

    @Test
    void theRangeFileIsReadAndAnUnreadableOneMeansTheLinuxDefault(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("range"), "40000\t60999\n");

        assertThat(LoopbackPorts.ephemeralLow(file)).isEqualTo(40_000);
        assertThat(LoopbackPorts.ephemeralLow(dir.resolve("missing"))).isEqualTo(32_768);
        assertThat(LoopbackPorts.ephemeralLow(Files.writeString(dir.resolve("bad"), "lots"))).isEqualTo(32_768);
    }
}
