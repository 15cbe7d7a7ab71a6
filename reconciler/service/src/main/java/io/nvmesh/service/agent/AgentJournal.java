package io.nvmesh.service.agent;

/**
 * Hears what each agent's sessions do, in order per node, under the agent's own lock: a welcome (the session's owner),
 * every command it goes on to apply, and the end of the session. It is how a test checks, over a whole run, that a node
 * never took commands from two owners at once. Must be quick and must not call the agent.
 */
public interface AgentJournal {

    AgentJournal NONE = new AgentJournal() {
    };

    /** Session {@code session} of {@code nodeId} was welcomed by {@code owner}. */
    default void welcomed(String nodeId, long session, String owner) {
    }

    /** The agent is about to apply command {@code seq} that arrived on session {@code session} from its owner. */
    default void applying(String nodeId, long session, String owner, long seq) {
    }

    /** Session {@code session} is over for the agent: closed, abandoned as silent, or replaced; nothing more of it
     * is applied. */
    default void ended(String nodeId, long session, String owner, String why) {
    }
}
