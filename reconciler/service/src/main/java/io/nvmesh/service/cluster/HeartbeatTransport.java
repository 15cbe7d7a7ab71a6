package io.nvmesh.service.cluster;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * Delivers one heartbeat to a peer and yields the peer's own heartbeat in reply. Implementations must not block the
 * caller and must fail the future within a short, bounded time when the peer does not answer.
 */
public interface HeartbeatTransport extends AutoCloseable {

    CompletableFuture<Heartbeat> send(URI peer, Heartbeat heartbeat);

    /** What a bare connection attempt to a peer's port found. */
    enum Probe {
        /** Refused at once: nothing listens there, so no process serves that URL now. */
        REFUSED,
        /** Something accepted the connection (the peer, a paused peer's kernel, or a proxy in front of it). */
        ACCEPTED,
        /** No answer in time, or no way to tell. */
        UNKNOWN
    }

    /**
     * Tries to open a connection to the peer's port and closes it at once, without a request. Only {@link
     * Probe#REFUSED} says something: a peer whose process is gone (its kernel refuses); a live, paused or partitioned
     * peer, or a proxy in front of one, accepts or times out. Must not block and must complete within a short bound.
     */
    default CompletableFuture<Probe> probe(URI peer) {
        return CompletableFuture.completedFuture(Probe.UNKNOWN);
    }

    @Override
    default void close() {
    }
}
