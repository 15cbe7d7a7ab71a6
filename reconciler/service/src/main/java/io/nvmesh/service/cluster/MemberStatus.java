package io.nvmesh.service.cluster;

import java.net.URI;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One instance as this instance sees it.
 *
 * @param id              instance id
 * @param url             where it is reached
 * @param self            whether it is this instance
 * @param alive           whether it is counted as a live member (always true for self)
 * @param epoch           its current incarnation, 0 when never heard from
 * @param incarnations    how many distinct epochs have been heard from it (a restart adds one)
 * @param silentForMillis time since it was last heard from, -1 when never heard from, 0 for self
 * @param agents          node agents connected to it by kind, as it last said (empty when never heard from)
 */
public record MemberStatus(String id, URI url, boolean self, boolean alive, long epoch, int incarnations,
                           long silentForMillis, Map<String, Integer> agents) {

    public MemberStatus(String id, URI url, boolean self, boolean alive, long epoch, int incarnations,
                        long silentForMillis) {
        this(id, url, self, alive, epoch, incarnations, silentForMillis, Map.of());
    }

    public MemberStatus {
        Member.checkId(id);
        Member.checkUrl(url);
        agents = agents == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(agents));
        if (self && !alive) {
            throw new IllegalArgumentException("an instance is always alive to itself");
        }
    }
}
