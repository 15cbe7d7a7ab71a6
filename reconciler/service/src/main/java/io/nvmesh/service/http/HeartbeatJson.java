package io.nvmesh.service.http;

import io.nvmesh.service.cluster.Heartbeat;

import java.net.URI;
import java.net.URISyntaxException;

/** {@code POST /v1/peer/heartbeat} body and answer. */
record HeartbeatJson(String id, long epoch, String url, String digest) {

    static HeartbeatJson of(Heartbeat h) {
        return new HeartbeatJson(h.id(), h.epoch(), h.url().toString(), h.digest());
    }

    /** The domain value; 400 when a field is not acceptable. */
    Heartbeat toHeartbeat() {
        try {
            return new Heartbeat(id, epoch, new URI(url == null ? "" : url), digest);
        } catch (URISyntaxException | IllegalArgumentException | NullPointerException e) {
            throw ApiException.badRequest("invalid heartbeat: " + e.getMessage());
        }
    }
}
