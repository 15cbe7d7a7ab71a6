package io.nvmesh.core.state;

import java.util.Objects;

/** Who a commit is attributed to (author and committer alike). */
public record Author(String name, String email) {

    public Author {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(email, "email");
        if (name.isBlank()) {
            throw new IllegalArgumentException("author name is blank");
        }
        if (name.contains("<") || name.contains(">") || email.contains("<") || email.contains(">")
                || name.contains("\n") || email.contains("\n")) {
            throw new IllegalArgumentException(String.format("author %s <%s> has a character Git cannot store", name,
                    email));
        }
    }
}
