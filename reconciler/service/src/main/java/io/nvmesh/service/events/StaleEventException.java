package io.nvmesh.service.events;

/**
 * A peer sent an event that is not newer than one already taken from its origin on its topic, or that belongs to an
 * older incarnation of its origin: a replay (or a duplicate), never what an honest peer sends, since a peer forwards
 * each event it raises once, in order. Nothing of the batch it came in is delivered.
 */
public final class StaleEventException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    StaleEventException(String message) {
        super(message);
    }
}
