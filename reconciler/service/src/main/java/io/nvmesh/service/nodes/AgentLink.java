package io.nvmesh.service.nodes;

/** One agent connection as the hub sees it, whatever carries it. Both methods return at once. */
public interface AgentLink {

    void send(String text);

    /** Closes with a WebSocket close code and a reason of at most 123 bytes. */
    void close(int code, String reason);
}
