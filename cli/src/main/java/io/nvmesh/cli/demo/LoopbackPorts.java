package io.nvmesh.cli.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for the demo's instances, whose addresses must be known before they start: they name each other as
 * peers, and the demo prints their URLs. (Tests take theirs from the core test-jar's {@code TestPorts}.)
 *
 * <p>A port the kernel hands out for {@code bind(0)} comes from its ephemeral range, the same range it draws the
 * local ports of outgoing connections from: between noting such a port and binding it again, any connection the
 * process (or another one) opens may take it. That happened in CI ("Failed to bind to 127.0.0.1:36321"). So ports are
 * drawn at random below the ephemeral range (Linux: {@code /proc/sys/net/ipv4/ip_local_port_range}, 32768-60999 by
 * default), where the kernel never picks one by itself, and each is checked free by binding it once.
 */
final class LoopbackPorts {

    /** Below the registered ports most local services use (Postgres 5432, 8080 ...). */
    static final int LOWEST = 20_000;
    static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int DEFAULT_EPHEMERAL_LOW = 32_768;
    private static final int ATTEMPTS = 200;

    private LoopbackPorts() {
    }

    /** {@code count} distinct loopback ports that were free a moment ago, outside the ephemeral range if possible. */
    static Set<Integer> free(int count) {
        int high = ephemeralLow(EPHEMERAL_RANGE) - 1;
        Set<Integer> ports = new LinkedHashSet<>();
        for (int attempt = 0; attempt < ATTEMPTS && ports.size() < count && high - LOWEST > 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, high + 1);
            if (!ports.contains(port) && bindable(port)) {
                ports.add(port);
            }
        }
        while (ports.size() < count) { // no room below the ephemeral range: what the kernel gives
            ports.add(kernelPick());
        }
        return ports;
    }

    /** The first port of the kernel's ephemeral range, read from {@code file} ("low high"). */
    static int ephemeralLow(Path file) {
        // Read line by line: procfs files report a size the JDK's whole-file reads trust (readString gave "3").
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String line = r.readLine();
            return Integer.parseInt(line == null ? "" : line.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int kernelPick() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
