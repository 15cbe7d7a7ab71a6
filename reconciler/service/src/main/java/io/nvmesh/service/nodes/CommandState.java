package io.nvmesh.service.nodes;

import java.util.Objects;

/**
 * The last command this instance sent to a node it owns, and what the node's agent answered. A command replaces the
 * previous one (level, not edge), so only the last one matters: an ack for an older command is not recorded.
 *
 * @param seq          the command's sequence number
 * @param sentAtMillis when it was sent (epoch milliseconds)
 * @param acked        whether the agent answered this very command
 * @param ok           the agent applied it (meaningful only when acked)
 * @param message      why the agent refused it; empty otherwise
 * @param ackedAtMillis when the answer came; 0 until then
 */
public record CommandState(long seq, long sentAtMillis, boolean acked, boolean ok, String message,
                           long ackedAtMillis) {

    public CommandState {
        Objects.requireNonNull(message, "message");
    }

    static CommandState sent(long seq, long at) {
        return new CommandState(seq, at, false, false, "", 0);
    }

    CommandState ack(boolean applied, String why, long at) {
        return new CommandState(seq, sentAtMillis, true, applied, why, at);
    }
}
