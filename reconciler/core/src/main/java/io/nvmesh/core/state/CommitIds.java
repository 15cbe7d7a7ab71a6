package io.nvmesh.core.state;

/** How a commit id is shown to people, in messages and on the command line. */
public final class CommitIds {

    private CommitIds() {
    }

    /** The first seven hex digits, as {@code git log --oneline} shows them; {@code (none)} for no commit. */
    public static String shortId(String commit) {
        return commit == null || commit.isEmpty() ? "(none)" : commit.substring(0, Math.min(7, commit.length()));
    }
}
