package io.nvmesh.service.feed;

import io.nvmesh.api.ServedJson;
import io.nvmesh.service.events.EventHub;
import io.nvmesh.service.events.Subscription;
import io.nvmesh.service.reconcile.ReconcileLoop;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Carries the ack round trip between instances. A volume's status depends on commits of two kinds of writer: its owner
 * places it, and the owners of its targets record what their agents acked serving. A target owner publishes a
 * {@code served} event ({@code {"volume","stateCommit"}}) on {@code volume/<name>} per volume whose served segments
 * changed with its commit. Every instance subscribes to {@code volume/*}; the volume's owner, on such an event from
 * another instance naming a state commit it has not observed, asks its loop for a pass at once instead of at the next
 * poll, and records the status that follows from the acks. Passes asked for while one is queued collapse into one.
 *
 * <p>The other half of the round trip (the target owners pushing a new layout after a placement, the client owners
 * attaching a volume that came {@code online}) travels as {@link CommandEvents}: the committer announces the nodes
 * whose command changed, so other instances need no pass for it.
 */
final class ServedEvents implements AutoCloseable {

    static final String TYPE = "served";

    private static final System.Logger LOG = System.getLogger(ServedEvents.class.getName());

    private final String self;
    private final EventHub events;
    private final ReconcileLoop loop;
    /** Null only while subscribing (the hub may call {@link #drain} from inside subscribe). */
    private volatile Subscription subscription;

    ServedEvents(String self, EventHub events, ReconcileLoop loop) {
        this.self = self;
        this.events = events;
        this.loop = loop;
        loop.addServedListener(this::served);
        this.subscription = events.subscribe(Set.of("volume/*"), Map.of(), Duration.ofDays(1), this::drain);
    }

    private void served(String stateCommit, Set<String> volumes) {
        for (String v : volumes) {
            try {
                events.publish("volume/" + v, TYPE, new ServedJson(v, stateCommit));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, () -> self + ": cannot publish served " + v + ": " + e);
            }
        }
    }

    /** Called by the hub outside its lock; must not block: takes what is queued and at most asks for a pass. */
    private void drain() {
        Subscription s = subscription;
        if (s == null) {
            return;
        }
        boolean pass = PeerNews.drain(s, self, TYPE, p -> p.get("volume") instanceof String v
                && self.equals(loop.ownerOf(v)) && p.get("stateCommit") instanceof String c && !c.isEmpty()
                && !c.equals(loop.observedCommit()));
        if (pass) {
            loop.trigger();
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
