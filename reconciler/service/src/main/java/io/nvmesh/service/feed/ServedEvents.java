package io.nvmesh.service.feed;

import io.nvmesh.service.events.Event;
import io.nvmesh.service.events.EventHub;
import io.nvmesh.service.events.Reset;
import io.nvmesh.service.events.StreamItem;
import io.nvmesh.service.events.Subscription;
import io.nvmesh.service.reconcile.ReconcileLoop;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Carries the ack round trip between instances. A volume's status now depends on commits of two kinds of writer: its
 * owner places it, and the owners of its targets record what their agents acked serving. Each publishes on
 * {@code volume/<name>}: the owner its {@code status} events (the {@link StateFeed}), the target owners a {@code served}
 * event ({@code {"volume","stateCommit"}}) per volume whose served segments changed with their commit. Every instance
 * subscribes to {@code volume/*} and, for an event from another instance naming a state commit it has not observed,
 * asks its loop for a pass at once instead of at the next poll: a target owner then pushes the new layout (a volume
 * {@code initializing}, {@code rebuilding} or {@code deleting}), a volume owner works out the status that follows from
 * the acks, a client owner attaches a volume that came {@code online}. Passes asked for while one is queued collapse
 * into one, so a burst of events costs one pass per instance.
 */
final class ServedEvents implements AutoCloseable {

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
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("volume", v);
            p.put("stateCommit", stateCommit);
            try {
                events.publish("volume/" + v, "served", p);
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
        boolean pass = false;
        for (StreamItem item = s.poll(); item != null; item = s.poll()) {
            if (item instanceof Event e && !self.equals(e.origin()) && e.payload() instanceof Map<?, ?> p) {
                Object commit = p.get("stateCommit");
                pass |= commit instanceof String c && !c.isEmpty() && !c.equals(loop.observedCommit());
            } else if (item instanceof Reset) {
                pass = true; // events were lost: look
            }
        }
        if (pass) {
            loop.trigger();
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
