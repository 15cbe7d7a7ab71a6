package io.nvmesh.service.nodes;

import io.nvmesh.service.agent.AgentCodec;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.AgentProtocol;
import io.nvmesh.service.agent.ProtocolException;
import io.nvmesh.service.auth.Caller;

/**
 * One agent connection as the protocol sees it: the first message must be a hello for a node the credential speaks
 * for, then reports and acks; anything else closes it. What each message means for the node is the {@link AgentHub}'s
 * business; this class only decodes, checks the order and hands over.
 */
final class AgentSession implements AgentConversation {

    private static final System.Logger LOG = System.getLogger(AgentSession.class.getName());

    private final AgentHub hub;
    final AgentLink link;
    final Caller caller;
    /** The hello this connection was welcomed with; null until then. */
    volatile AgentMessage.Hello hello;
    private volatile boolean greeted;
    volatile boolean ended;
    // Guarded by the hub: a hello held while its owner is suspect, and since when.
    AgentMessage.Hello pending;
    long heldSinceNanos;
    /** A recheck of the held hello is on the hub's timer (guarded by the hub): one at a time, however often held. */
    boolean recheckScheduled;
    // Guarded by the hub: the last command sent on this connection.
    AgentMessage.Command lastSent;

    AgentSession(AgentHub hub, AgentLink link, Caller caller) {
        this.hub = hub;
        this.link = link;
        this.caller = caller;
    }

    @Override
    public void onText(String text) {
        AgentMessage message;
        try {
            message = AgentCodec.decode(text);
        } catch (ProtocolException e) {
            link.close(AgentProtocol.CLOSE_PROTOCOL_ERROR, AgentProtocol.reason(e.getMessage()));
            return;
        }
        if (!greeted) {
            greet(message);
        } else if (message instanceof AgentMessage.Report r) {
            if (hello != null) {
                hub.report(this, r);
            }
        } else if (message instanceof AgentMessage.Ack ack) {
            acked(ack);
        } else {
            link.close(AgentProtocol.CLOSE_PROTOCOL_ERROR, AgentProtocol.reason("unexpected "
                    + message.getClass().getSimpleName().toLowerCase() + " from an agent"));
        }
    }

    private void greet(AgentMessage message) {
        if (!(message instanceof AgentMessage.Hello h)) {
            link.close(AgentProtocol.CLOSE_PROTOCOL_ERROR, "the first message must be hello");
            return;
        }
        if (!caller.speaksFor(h.nodeId())) {
            LOG.log(System.Logger.Level.WARNING, "refused a hello as " + h.nodeId() + " from " + caller
                    + ": the credential does not name that node");
            link.close(AgentProtocol.CLOSE_FORBIDDEN, AgentProtocol.reason("credential " + caller.name()
                    + " may not speak for node " + h.nodeId()));
            return;
        }
        greeted = true;
        hub.hello(this, h);
    }

    private void acked(AgentMessage.Ack ack) {
        AgentMessage.Command command = hello == null ? null : hub.acked(this, ack);
        if (command != null) {
            hub.tellAck(hello.kind(), hello.nodeId(), command, ack);
        }
        if (!ack.ok()) {
            LOG.log(System.Logger.Level.WARNING, () -> hello.nodeId() + " refused command " + ack.seq()
                    + ": " + ack.message());
        }
    }

    @Override
    public void onClosed(int code, String reason) {
        ended = true;
        hub.disconnected(this);
    }

    void helloTimeout() {
        if (!greeted && !ended) {
            link.close(AgentProtocol.CLOSE_HELLO_TIMEOUT, "no hello within " + AgentHub.HELLO_TIMEOUT.toSeconds()
                    + " s");
        }
    }
}
