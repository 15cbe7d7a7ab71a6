package io.nvmesh.service.counters;

import java.util.List;

/**
 * What became of a batch of a peer's entries.
 *
 * @param received how many entries the batch had
 * @param accepted how many changed something here
 * @param refused  the entries not merged, in batch order, with why; when {@code whole} every entry of the batch was
 *                 refused because of the first of them (a foreign contributor or a broken rule: an honest peer never
 *                 sends either, so nothing of such a batch is believed)
 * @param whole    whether nothing of the batch was merged
 */
public record MergeOutcome(int received, int accepted, List<EntryRules.Refusal> refused, boolean whole) {

    public MergeOutcome {
        refused = List.copyOf(refused);
    }

    static MergeOutcome refusedWhole(int received, EntryRules.Refusal first) {
        return new MergeOutcome(received, 0, List.of(first), true);
    }

    public boolean clean() {
        return refused.isEmpty();
    }

    /** The first refusal; only when not {@link #clean()}. */
    public EntryRules.Refusal first() {
        return refused.get(0);
    }
}
