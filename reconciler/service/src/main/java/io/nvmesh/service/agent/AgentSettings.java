package io.nvmesh.service.agent;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one agent connects.
 *
 * @param nodeId       the node's id
 * @param kind         target or client
 * @param instances    base URLs of reconciler instances to dial (any of them; non-owners redirect)
 * @param token        this node's agent credential, sent as a bearer token on the upgrade request; empty when the
 *                     node's client certificate alone says who it is ({@link AgentTls})
 * @param protocols    versions offered in hello ({@link AgentProtocol#VERSIONS} outside tests)
 * @param backoffBase  first retry delay after a failure
 * @param backoffMax   longest retry delay
 * @param maxRedirects redirects followed in a row before backing off (owners may briefly disagree); also how many
 *                     redirects back to the instance just lost are declined before one is followed
 * @param seed         seeds the jitter of the backoff and the choice of the first instance
 */
public record AgentSettings(String nodeId, NodeKind kind, List<URI> instances, String token,
                            List<Integer> protocols, Duration backoffBase, Duration backoffMax, int maxRedirects,
                            long seed) {

    public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(100);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(1);

    public AgentSettings {
        AgentProtocol.checkNodeId(nodeId);
        Objects.requireNonNull(kind, "kind");
        instances = List.copyOf(instances);
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("an agent needs at least one instance URL to dial");
        }
        Objects.requireNonNull(token, "token");
        protocols = List.copyOf(protocols);
        Objects.requireNonNull(backoffBase, "backoffBase");
        Objects.requireNonNull(backoffMax, "backoffMax");
        if (maxRedirects < 1) {
            throw new IllegalArgumentException("maxRedirects must be at least 1");
        }
    }

    /** Default protocols, backoff 100 ms → 1 s, up to 3 redirects in a row. */
    public static AgentSettings of(String nodeId, NodeKind kind, List<URI> instances, String token, long seed) {
        return new AgentSettings(nodeId, kind, instances, token, AgentProtocol.VERSIONS, DEFAULT_BACKOFF_BASE,
                DEFAULT_BACKOFF_MAX, 3, seed);
    }

    public AgentSettings withProtocols(List<Integer> versions) {
        return new AgentSettings(nodeId, kind, instances, token, versions, backoffBase, backoffMax, maxRedirects,
                seed);
    }

    public AgentSettings withToken(String newToken) {
        return new AgentSettings(nodeId, kind, instances, newToken, protocols, backoffBase, backoffMax, maxRedirects,
                seed);
    }
}
