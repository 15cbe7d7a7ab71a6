package io.nvmesh.service.nodes;

/** What the transport tells the hub about one connection, in order, from one thread at a time. */
public interface AgentConversation {

    void onText(String text);

    void onClosed(int code, String reason);
}
