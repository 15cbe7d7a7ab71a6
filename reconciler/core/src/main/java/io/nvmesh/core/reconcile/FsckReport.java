package io.nvmesh.core.reconcile;

import java.util.List;
import java.util.Objects;

/** What {@code nvmesh fsck} found in the recorded state at {@code stateCommit}. */
public record FsckReport(String stateCommit, int volumes, int drives, List<Finding> findings) {

    /**
     * One finding: an error breaks an invariant; a warning is a degraded volume (repaired by reconciling, or waiting
     * for a missing drive) or a volume whose data is lost (until a person accepts the loss in Git).
     */
    public record Finding(boolean error, String object, String message) {
        public Finding {
            Objects.requireNonNull(object, "object");
            Objects.requireNonNull(message, "message");
        }

        public String render() {
            return (error ? "error: " : "warning: ") + object + ": " + message;
        }
    }

    public FsckReport {
        Objects.requireNonNull(stateCommit, "stateCommit");
        findings = List.copyOf(findings);
    }

    public boolean clean() {
        return findings.stream().noneMatch(Finding::error);
    }

    public List<Finding> errors() {
        return findings.stream().filter(Finding::error).toList();
    }
}
