package io.nvmesh.service.agent;

/** A message that is not valid JSON, not a known type, or not a valid instance of its type. */
public final class ProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
