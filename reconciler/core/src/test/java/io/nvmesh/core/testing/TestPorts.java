package io.nvmesh.core.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback ports for test servers that must be named before they start: instances that list each other as peers, a
 * {@code git daemon} or {@code sshd} given {@code --port}. (Everything that can bind port 0 should: Jetty does.)
 *
 * <p>Ports are walked in sequence through 20000-32767, below the range Linux draws the local ports of outgoing
 * connections from (32768 and up by default), so no connection of this or another process takes one between the
 * moment it is handed out and the moment its server binds it. The walk starts at an offset taken from this JVM's
 * pid, so test JVMs running side by side walk different stretches, and one JVM never hands out the same port twice.
 * Each port is checked free by binding it once.
 *
 * <p>Not the demo's {@code LoopbackPorts} (cli): that one serves any machine a user runs the demo on, so it reads the
 * kernel's ephemeral range from /proc and draws at random. Tests run on machines we set up, and want a port that no
 * other caller in the same JVM can be handed before it is bound.
 */
public final class TestPorts {

    static final int LOW = 20_000;
    static final int HIGH = 32_767;
    private static final int SPAN = HIGH - LOW + 1;
    private static final AtomicInteger NEXT = new AtomicInteger(
            (int) Math.floorMod(ProcessHandle.current().pid() * 7_919L, (long) SPAN));

    private TestPorts() {
    }

    /** A loopback port free a moment ago that no other caller in this JVM has been or will be given. */
    public static int next() {
        for (int tried = 0; tried < SPAN; tried++) {
            int port = LOW + Math.floorMod(NEXT.getAndIncrement(), SPAN);
            if (bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port in " + LOW + "-" + HIGH);
    }

    /** {@code count} distinct ports, as {@link #next()} gives them. */
    public static List<Integer> next(int count) {
        List<Integer> ports = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ports.add(next());
        }
        return ports;
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

    /**
     * Waits up to 15 s until a server process just started accepts connections on 127.0.0.1:{@code port}; if it exits
     * first, fails with its log. On failure the caller closes what it started.
     */
    public static void awaitServing(Process process, int port, Path log, String name) throws IOException {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> !process.isAlive() || accepts(port));
        if (!process.isAlive()) {
            throw new IOException(name + " exited: " + Files.readString(log));
        }
    }

    /** Whether something accepts a connection on 127.0.0.1:{@code port} within 200 ms. */
    public static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
