package io.nvmesh.core.reconcile;

import java.util.List;

/**
 * The loop refused to act on what it was given (invalid manifests, a stale plan, a moved branch, a protected
 * deletion, damaged recorded state) and changed nothing. The message is for a person: a first line that says what
 * was refused, then one line per detail.
 */
public final class GitOpsRefusal extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> details;

    public GitOpsRefusal(String summary, List<String> details) {
        super(details.isEmpty() ? summary : summary + "\n  " + String.join("\n  ", details));
        this.details = List.copyOf(details);
    }

    public GitOpsRefusal(String summary) {
        this(summary, List.of());
    }

    public List<String> details() {
        return details;
    }
}
