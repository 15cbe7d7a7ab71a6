package io.nvmesh.cli.remote;

/** A request to the server failed; the message is the one line to show. */
public final class ServerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public ServerException(String message) {
        this(message, 0);
    }

    ServerException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The HTTP status that caused it, 0 when the server was not reached or did not say. */
    public int status() {
        return status;
    }
}
