package io.nvmesh.service.cluster;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * Delivers one heartbeat to a peer and yields the peer's own heartbeat in reply. Implementations must not block the
 * caller and must fail the future within a short, bounded time when the peer does not answer.
 */
public interface HeartbeatTransport extends AutoCloseable {

    CompletableFuture<Heartbeat> send(URI peer, Heartbeat heartbeat);

    @Override
    default void close() {
    }
}
