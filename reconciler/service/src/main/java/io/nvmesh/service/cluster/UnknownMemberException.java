package io.nvmesh.service.cluster;

/** A heartbeat came from an id that is not one of this instance's configured peers (or is this instance's own id). */
public final class UnknownMemberException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UnknownMemberException(String message) {
        super(message);
    }
}
