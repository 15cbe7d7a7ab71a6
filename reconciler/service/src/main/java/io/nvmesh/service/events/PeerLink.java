package io.nvmesh.service.events;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Events on their way to one peer: one request in flight at a time, so they arrive in the order raised, and whatever
 * queued meanwhile goes in the next request. Bounded: when a peer is too slow the oldest are dropped (its consumers
 * see the gap in the sequence).
 */
final class PeerLink {

    /** Peer endpoints take bodies up to 64 KiB: small payloads (under 1 KiB) are assumed. */
    static final int MAX_BATCH = 64;
    static final int MAX_QUEUED = 20_000;

    private static final System.Logger LOG = System.getLogger(PeerLink.class.getName());

    private final String self;
    private final EventTransport transport;
    private final AtomicLong messages;
    private final AtomicLong sent;
    private final AtomicLong lost;
    private final ArrayDeque<Event> queue = new ArrayDeque<>();
    private URI url;
    private boolean inFlight;

    PeerLink(String self, EventTransport transport, AtomicLong messages, AtomicLong sent, AtomicLong lost) {
        this.self = self;
        this.transport = transport;
        this.messages = messages;
        this.sent = sent;
        this.lost = lost;
    }

    void send(URI to, Event e) {
        synchronized (this) {
            url = to;
            if (queue.size() == MAX_QUEUED) {
                queue.removeFirst();
                lost.incrementAndGet();
            }
            queue.addLast(e);
            if (inFlight) {
                return;
            }
            inFlight = true;
        }
        next();
    }

    private void next() {
        List<Event> batch = new ArrayList<>();
        URI to;
        synchronized (this) {
            while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
                batch.add(queue.removeFirst());
            }
            if (batch.isEmpty()) {
                inFlight = false;
                return;
            }
            to = url;
        }
        messages.incrementAndGet();
        sent.addAndGet(batch.size());
        try {
            transport.events(to, self, batch).whenComplete((ok, failure) -> {
                if (failure != null) {
                    lost.addAndGet(batch.size());
                    LOG.log(System.Logger.Level.DEBUG, () -> "events to " + to + " lost: " + failure.getMessage());
                }
                next();
            });
        } catch (RuntimeException e) {
            lost.addAndGet(batch.size());
            LOG.log(System.Logger.Level.DEBUG, () -> "events to " + to + " lost: " + e.getMessage());
            synchronized (this) {
                inFlight = false;
            }
        }
    }
}
