package io.nvmesh.service.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A burst of connections larger than the JVM's default listen backlog (50) must be queued by the kernel, not dropped.
 * Run on a real loopback socket: the instance is bound but not started, so no acceptor takes anything and every
 * connection has to wait in the kernel's accept queue. With the old backlog, Linux completed 51 of these and dropped
 * the SYNs of the rest, which then retry after 1 s, 3 s, ... (the failover tail of docs/BENCHMARKS.md).
 */
class AcceptQueueTest {

    /** More than a failover sent to one survivor in the 1,000 + 1,000 scenario (about 340 at once). */
    static final int BURST = 600;

    @Test
    void aBurstOfConnectsWaitsInTheKernelQueueInsteadOfBeingDropped() throws IOException {
        ApiServer server = ApiServer.bind("127.0.0.1", 0, "accept-queue-test");
        List<SocketChannel> channels = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", server.port());
            for (int i = 0; i < BURST; i++) {
                SocketChannel c = SocketChannel.open();
                channels.add(c);
                c.configureBlocking(false);
                if (!c.connect(to)) {
                    c.register(selector, SelectionKey.OP_CONNECT);
                }
            }
            // Loopback handshakes of queued connections complete at once; a dropped SYN would not complete before
            // its retransmission (1 s) and, with nothing accepting, not after it either. The wait is only a bound.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!selector.keys().isEmpty() && System.nanoTime() < deadline) {
                selector.select(100);
                for (SelectionKey k : selector.selectedKeys()) {
                    if (((SocketChannel) k.channel()).finishConnect()) {
                        k.cancel();
                    }
                }
                selector.selectedKeys().clear();
                selector.selectNow(); // lets the cancelled keys go
            }
            long connected = channels.stream().filter(SocketChannel::isConnected).count();
            assertThat(connected).as("connections completed by the kernel while nothing accepted").isEqualTo(BURST);
        } finally {
            for (SocketChannel c : channels) {
                c.close();
            }
            server.close();
        }
    }
}
