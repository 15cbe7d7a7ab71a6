package io.nvmesh.service.http;

/** Who may call a route. */
enum Access {
    /** Anyone, no token (health checks). */
    PUBLIC,
    /** A read or an admin token. */
    READ,
    /** An admin token. */
    WRITE,
    /** The peer secret: other reconciler instances. */
    PEER,
    /** The agent secret: node agents. */
    AGENT
}
