package io.nvmesh.cli.remote;

/** A request to the server failed; the message is the one line to show. */
public final class ServerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ServerException(String message) {
        super(message);
    }
}
