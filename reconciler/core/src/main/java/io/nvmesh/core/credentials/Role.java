package io.nvmesh.core.credentials;

/** What a credential may do. */
public enum Role {
    /** People and scripts: read and change desired state, admin calls. */
    ADMIN,
    /** People, dashboards and Prometheus: read only. */
    READ,
    /** A reconciler instance, speaking only as itself to its peers. */
    INSTANCE,
    /** A node agent, speaking only for the node ids its credential names. */
    AGENT;

    /** The word used in credential files and messages. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses {@link #word()}; empty when the word names no role. */
    public static java.util.Optional<Role> of(String word) {
        for (Role r : values()) {
            if (r.word().equals(word)) {
                return java.util.Optional.of(r);
            }
        }
        return java.util.Optional.empty();
    }
}
