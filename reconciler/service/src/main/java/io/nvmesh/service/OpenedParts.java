package io.nvmesh.service;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The parts of an instance opened so far while it starts, closed newest first when a later part fails to start, so
 * that a failed start leaves no thread, port or file behind.
 */
final class OpenedParts {

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** Notes a part just opened and returns it. */
    <T> T add(T part, AutoCloseable closer) {
        opened.push(closer);
        return part;
    }

    /** Closes every part noted, newest first; a part that fails to close does not keep the others open. */
    void closeAll() {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                // a part that cannot close has nothing left to release
            }
        }
    }
}
