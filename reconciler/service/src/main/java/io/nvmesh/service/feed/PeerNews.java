package io.nvmesh.service.feed;

import io.nvmesh.service.events.Event;
import io.nvmesh.service.events.Reset;
import io.nvmesh.service.events.StreamItem;
import io.nvmesh.service.events.Subscription;

import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads what other instances announced on a subscription and says whether any of it calls for a look here: an event
 * of the given type from another instance whose payload says something new, or a reset (events were lost, so
 * anything may have happened).
 */
final class PeerNews {

    private PeerNews() {
    }

    /**
     * Takes everything queued on the subscription (never blocks) and tests every payload, not only until the first
     * news: the test may note what it sees.
     */
    static boolean drain(Subscription s, String self, String type, Predicate<Map<?, ?>> isNews) {
        boolean news = false;
        for (StreamItem item = s.poll(); item != null; item = s.poll()) {
            if (item instanceof Event e && type.equals(e.type()) && !self.equals(e.origin())
                    && e.payload() instanceof Map<?, ?> p) {
                news |= isNews.test(p);
            } else if (item instanceof Reset) {
                news = true;
            }
        }
        return news;
    }
}
