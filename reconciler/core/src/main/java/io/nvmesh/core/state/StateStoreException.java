package io.nvmesh.core.state;

/**
 * The store could not do what was asked for a reason that is not the normal race between writers: the repository is
 * unreadable, the remote refused the push for a reason of its own, a commit asked for does not exist.
 */
public final class StateStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StateStoreException(String message) {
        super(message);
    }

    public StateStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
