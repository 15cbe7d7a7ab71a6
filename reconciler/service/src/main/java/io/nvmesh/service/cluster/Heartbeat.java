package io.nvmesh.service.cluster;

import java.net.URI;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;

/**
 * What an instance says about itself every heartbeat interval, and what its peer answers with.
 *
 * @param id     the sender's instance id
 * @param epoch  the sender's incarnation: its start time in epoch milliseconds, so a restarted instance has a larger
 *               epoch than its previous life and late heartbeats of that life can be recognised and ignored
 * @param url    the base URL the sender listens on (informational; peers are reached at their configured URL)
 * @param digest a summary of the sender's view (its ownership digest for now), empty when it has none; peers will use
 *               it to detect divergence
 * @param agents  node agents connected to the sender, by kind ({@code targets}, {@code clients}); informational
 * @param leaving the sender is stopping on purpose: peers count it out at once instead of after the dead-after time,
 *                and ignore any later word of this epoch
 */
public record Heartbeat(String id, long epoch, URI url, String digest, Map<String, Integer> agents, boolean leaving) {

    public Heartbeat(String id, long epoch, URI url, String digest) {
        this(id, epoch, url, digest, Map.of());
    }

    public Heartbeat(String id, long epoch, URI url, String digest, Map<String, Integer> agents) {
        this(id, epoch, url, digest, agents, false);
    }

    /** The same heartbeat saying goodbye. */
    public Heartbeat leavingNow() {
        return new Heartbeat(id, epoch, url, digest, agents, true);
    }

    public Heartbeat {
        Member.checkId(id);
        if (epoch <= 0) {
            throw new IllegalArgumentException("epoch must be positive, got " + epoch);
        }
        Member.checkUrl(url);
        digest = Objects.requireNonNullElse(digest, "");
        if (digest.length() > 128) {
            throw new IllegalArgumentException("digest must be at most 128 characters");
        }
        agents = agents == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(agents));
    }
}
