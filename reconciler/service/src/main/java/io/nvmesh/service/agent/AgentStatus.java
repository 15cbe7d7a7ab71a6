package io.nvmesh.service.agent;

import java.util.Objects;

/**
 * A snapshot of one agent.
 *
 * @param state       where it is in its life
 * @param owner       the instance that welcomed it, empty unless connected
 * @param ownerUrl    that instance's base URL, empty unless connected
 * @param welcomes    how many times it has been welcomed (1 after the first connection; each move adds one)
 * @param redirects   how many redirects it has followed
 * @param lastClose   the last close code and reason it got or gave, empty if none
 * @param failure     why it gave up ({@link State#FAILED}), else empty
 */
public record AgentStatus(State state, String owner, String ownerUrl, int welcomes, int redirects, String lastClose,
                          String failure) {

    public enum State {
        /** Dialling or waiting to redial. */
        CONNECTING,
        /** Welcomed by its owner and reporting. */
        CONNECTED,
        /** Stopped on purpose; stays away until started. */
        STOPPED,
        /** Gave up: no protocol version in common. */
        FAILED
    }

    public AgentStatus {
        Objects.requireNonNull(state, "state");
        owner = Objects.requireNonNullElse(owner, "");
        ownerUrl = Objects.requireNonNullElse(ownerUrl, "");
        lastClose = Objects.requireNonNullElse(lastClose, "");
        failure = Objects.requireNonNullElse(failure, "");
    }

    public boolean connected() {
        return state == State.CONNECTED;
    }
}
