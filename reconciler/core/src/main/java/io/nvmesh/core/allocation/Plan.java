package io.nvmesh.core.allocation;

import java.util.List;
import java.util.Objects;

/**
 * What the planner would do: actions in canonical order (deletes by volume; moves by rebuild priority, volume
 * and position; extends and creates by volume), and cluster capacity before and after the placed actions.
 */
public record Plan(List<Action> actions, Usage before, Usage after) {

    public Plan {
        actions = List.copyOf(actions);
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
    }

    /** Whether applying the plan changes the recorded state. */
    public boolean changesState() {
        return actions.stream().anyMatch(a -> a.outcome() == Outcome.PLACED);
    }

    public List<Action> unplaceable() {
        return actions.stream().filter(a -> a.outcome() == Outcome.UNPLACEABLE).toList();
    }
}
