package io.nvmesh.service.events;

import java.util.HashSet;
import java.util.Set;

/**
 * What changed in one instance's advertised {@link Interest} from version {@code base} to {@code version} (same
 * epoch): a peer that holds exactly {@code base} applies it, any other answers that it does not, and is sent the whole
 * interest. With 10,000 subscribers a push of the whole set on every change (every 5 ms while they connect) was
 * thousands of topics each time; a change is the few that came or went.
 *
 * @param instance the instance whose interest this is
 * @param epoch    its incarnation
 * @param base     the version the change applies to
 * @param version  the version it makes (greater than {@code base})
 * @param added    filters wanted in {@code version} and not in {@code base}
 * @param removed  filters wanted in {@code base} and not in {@code version}
 */
public record InterestChange(String instance, long epoch, long base, long version, Set<String> added,
                             Set<String> removed) {

    public InterestChange {
        if (instance == null || added == null || removed == null) {
            throw new IllegalArgumentException("a change names its instance, added and removed filters");
        }
        if (version <= base) {
            throw new IllegalArgumentException("a change goes forward: version " + version + " after " + base);
        }
        added = Set.copyOf(added);
        removed = Set.copyOf(removed);
        added.forEach(Topics::checkFilter);
        removed.forEach(Topics::checkFilter);
        for (String f : added) {
            if (removed.contains(f)) {
                throw new IllegalArgumentException("filter " + f + " is both added and removed");
            }
        }
    }

    /** From {@code from} to {@code to}, two versions of one instance's interest in one epoch. */
    static InterestChange between(Interest from, Interest to) {
        if (!from.instance().equals(to.instance()) || from.epoch() != to.epoch()) {
            throw new IllegalArgumentException("a change is within one instance's epoch");
        }
        Set<String> added = new HashSet<>(to.filters());
        added.removeAll(from.filters());
        Set<String> removed = new HashSet<>(from.filters());
        removed.removeAll(to.filters());
        return new InterestChange(to.instance(), to.epoch(), from.version(), to.version(), added, removed);
    }

    /** How many filters it carries. */
    int size() {
        return added.size() + removed.size();
    }

    /** The interest it makes of {@code held}, or null when {@code held} is not the version it applies to. */
    Interest applyTo(Interest held) {
        if (held == null || !held.instance().equals(instance) || held.epoch() != epoch || held.version() != base) {
            return null;
        }
        Set<String> filters = new HashSet<>(held.filters());
        filters.removeAll(removed);
        filters.addAll(added);
        return new Interest(instance, epoch, version, filters);
    }
}
