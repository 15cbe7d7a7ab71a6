package io.nvmesh.core.state;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/** Ref names and commit ids as our API spells them, checked and turned into JGit's. */
final class RefNames {

    private RefNames() {
    }

    /** {@code main} means {@code refs/heads/main}; full names pass through. */
    static String full(String ref) {
        if (ref == null || ref.isBlank()) {
            throw new IllegalArgumentException("ref name is blank");
        }
        String full = ref.startsWith("refs/") ? ref : "refs/heads/" + ref;
        if (!Repository.isValidRefName(full)) {
            throw new IllegalArgumentException(String.format("\"%s\" is not a valid ref name", ref));
        }
        return full;
    }

    /** {@code null} for "no ref" ({@code null} or {@code ""}), else the parsed id. */
    static ObjectId expected(String id) {
        if (id == null || id.isEmpty()) {
            return null;
        }
        if (!ObjectId.isId(id)) {
            throw new IllegalArgumentException(String.format("\"%s\" is not a 40-digit commit id", id));
        }
        return ObjectId.fromString(id);
    }

    static String hex(ObjectId id) {
        return id == null ? "" : id.name();
    }
}
