package io.nvmesh.service.http;

import io.nvmesh.service.agent.AgentProtocol;
import io.nvmesh.service.auth.Caller;
import io.nvmesh.service.nodes.AgentConversation;
import io.nvmesh.service.nodes.AgentHub;
import io.nvmesh.service.nodes.AgentLink;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * Adapts one Jetty WebSocket session to the hub: frames in become {@link AgentConversation} calls, the hub's sends and
 * closes become asynchronous Jetty calls. The hub's work per frame is in memory and short, so it runs on Jetty's
 * thread. Public only because Jetty invokes listeners through public method handles; nothing outside this package can
 * make one.
 */
public final class AgentSocket implements Session.Listener.AutoDemanding {

    private final AgentHub hub;
    private final Caller caller;
    private final AuditTrail trail;
    private volatile AgentConversation conversation;

    AgentSocket(AgentHub hub, Caller caller) {
        this(hub, caller, AuditTrail.NONE);
    }

    AgentSocket(AgentHub hub, Caller caller, AuditTrail trail) {
        this.hub = hub;
        this.caller = caller;
        this.trail = trail;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        conversation = hub.accept(new AgentLink() {
            @Override
            public void send(String text) {
                session.sendText(text, Callback.NOOP);
            }

            @Override
            public void close(int code, String reason) {
                // The hub's identity refusals pass here on their way out, so the hub needs no audit of its own.
                if (code == AgentProtocol.CLOSE_FORBIDDEN || code == AgentProtocol.CLOSE_UNAUTHORIZED) {
                    trail.agentClosed(session.getRemoteSocketAddress(), caller, AgentProtocol.PATH, code, reason);
                }
                session.close(code, reason, Callback.NOOP);
            }
        }, caller);
    }

    @Override
    public void onWebSocketText(String text) {
        conversation.onText(text);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        // A close follows every error (idle timeout, reset by the agent); the hub hears of it there.
    }

    @Override
    public void onWebSocketClose(int code, String reason) {
        AgentConversation c = conversation;
        if (c != null) {
            c.onClosed(code, reason);
        }
    }
}
