package io.nvmesh.service.http;

/** Who may call a route. */
enum Access {
    /** Anyone, no token (health checks). */
    PUBLIC,
    /** A read or an admin token. */
    READ,
    /** An admin token. */
    WRITE,
    /** An instance credential: other reconciler instances, each speaking as itself. */
    PEER,
    /** An agent credential: node agents, each for its own node ids. */
    AGENT
}
