package io.nvmesh.service.http;

import io.nvmesh.service.cluster.Heartbeat;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /v1/peer/heartbeat} body and answer; {@code agents} is absent from peers older than the agent hub, and
 * {@code leaving} is written only when true (a stopping instance's goodbye).
 */
record HeartbeatJson(String id, long epoch, String url, String digest, Map<String, Integer> agents,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Boolean leaving) {

    HeartbeatJson {
        // Immutable maps refuse to be asked about null, so each entry is looked at.
        if (agents != null && agents.entrySet().stream().anyMatch(e -> e.getKey() == null || e.getValue() == null)) {
            throw new IllegalArgumentException("`agents` counts agents per instance; it holds a null");
        }
    }

    static HeartbeatJson of(Heartbeat h) {
        return new HeartbeatJson(h.id(), h.epoch(), h.url().toString(), h.digest(), h.agents(),
                h.leaving() ? Boolean.TRUE : null);
    }

    /**
     * The domain value; 400 when a field is not acceptable, or when the epoch (the sender's start time) is after
     * {@code latestEpoch}: an epoch from the future would make every later genuine heartbeat look like one from an
     * earlier life of the sender, and silence it.
     */
    Heartbeat toHeartbeat(long latestEpoch) {
        if (epoch > latestEpoch) {
            throw ApiException.badRequest("invalid heartbeat: epoch " + epoch + " is later than this instance's clock "
                    + "allows (" + latestEpoch + "); check the sender's clock");
        }
        try {
            return new Heartbeat(id, epoch, new URI(url == null ? "" : url), digest, agents,
                    Boolean.TRUE.equals(leaving));
        } catch (URISyntaxException | IllegalArgumentException | NullPointerException e) {
            throw ApiException.badRequest("invalid heartbeat: " + e.getMessage());
        }
    }
}
