package io.nvmesh.service.counters;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** How counters reach peers (implemented over HTTP with the peer secret). Calls never block. */
public interface CounterTransport extends AutoCloseable {

    /** Posts changed entries to a peer. */
    CompletableFuture<Void> push(URI peer, List<CounterEntry> entries);

    /** The peer's digests of every (contributor, bucket) it holds. */
    CompletableFuture<List<BucketDigest>> digest(URI peer);

    /** The entries the peer holds that {@code contributor} wrote in partitions of {@code bucket}. */
    CompletableFuture<List<CounterEntry>> pull(URI peer, String contributor, int bucket);

    @Override
    void close();
}
