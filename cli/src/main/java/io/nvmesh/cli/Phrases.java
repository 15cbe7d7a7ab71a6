package io.nvmesh.cli;

import io.nvmesh.schema.Size;

/**
 * The short phrases several commands print, written once so that they read alike everywhere. Commit ids are
 * {@link io.nvmesh.core.state.CommitIds#shortId}, shared with the messages of core.
 */
final class Phrases {

    private Phrases() {
    }

    /** {@code 1.5 TiB}: binary units, at most one decimal. */
    static String bytes(long b) {
        return Size.ofBytes(b).human();
    }

    /** {@code , 2 retries} after a commit that lost compare-and-swap races; nothing when it lost none. */
    static String retries(int n) {
        return n == 0 ? "" : ", " + n + " retr" + (n == 1 ? "y" : "ies");
    }
}
