package io.nvmesh.service.events;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** How events and interest reach a peer; the HTTP adapter uses the peer secret. */
public interface EventTransport extends AutoCloseable {

    /** Delivers events raised on {@code from} (in order) to a peer that declared interest in their topics. */
    CompletableFuture<Void> events(URI peer, String from, List<Event> events);

    /** Replaces what the peer knows of this instance's interest. */
    CompletableFuture<Void> interest(URI peer, Interest interest);

    /**
     * Tells the peer what changed in this instance's interest; true when it applied the change, false when it does not
     * hold the change's base version (it is then sent the whole interest). A transport that cannot carry changes
     * answers false, so the whole interest is sent every time.
     */
    default CompletableFuture<Boolean> interestChange(URI peer, InterestChange change) {
        return CompletableFuture.completedFuture(false);
    }

    /**
     * Asks whether the peer's copy of this instance's interest has this digest; false means it should be sent again
     * (the peer restarted, or a push was lost).
     */
    CompletableFuture<Boolean> digestMatches(URI peer, String instance, String digest);

    @Override
    void close();
}
