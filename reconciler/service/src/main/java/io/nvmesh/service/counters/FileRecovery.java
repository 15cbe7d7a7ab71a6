package io.nvmesh.service.counters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a new incarnation does with the counter file it finds before it counts anything: drops the entries that break
 * {@link EntryRules} (a damaged or poisoned file) and picks an epoch that outranks the previous incarnation's.
 */
final class FileRecovery {

    private static final System.Logger LOG = System.getLogger(FileRecovery.class.getName());

    private FileRecovery() {
    }

    /**
     * Drops stored entries that break {@link EntryRules}: they could outrank every honest claim for ever, or make a
     * take-over overflow. Their partitions are re-taken (owned here), pulled again from their contributors, or
     * repaired by the recount.
     *
     * @return how many partitions had entries dropped
     */
    static int dropBroken(EntryStore store, String self, long now, Duration skew) {
        List<EntryRules.Refusal> broken = new ArrayList<>();
        store.forEach(e -> {
            EntryRules.Refusal r = EntryRules.check(e, now, skew);
            if (r != null) {
                broken.add(r);
            }
        });
        if (broken.isEmpty()) {
            return 0;
        }
        Set<String> partitions = new HashSet<>();
        Map<String, Integer> reasons = new TreeMap<>();
        for (EntryRules.Refusal r : broken) {
            store.remove(r.entry().partition(), r.entry().counter());
            partitions.add(r.entry().partition());
            reasons.merge(r.reason(), 1, Integer::sum);
        }
        LOG.log(System.Logger.Level.WARNING, () -> self + ": dropped " + broken.size() + " counter entr"
                + (broken.size() == 1 ? "y" : "ies") + " of " + partitions.size() + " partition(s) from the counter "
                + "file because they break the entry rules " + reasons + " (first: " + broken.get(0).describe()
                + "); the totals are re-derived without them");
        return partitions.size();
    }

    /**
     * The epoch of this incarnation, stored in the file. Entries of a new incarnation must outrank the previous one's
     * even if the clock went back; an epoch from the future (a damaged or poisoned file) would make every entry
     * written here refused by the peers.
     */
    static long nextEpoch(EntryStore store, String self, long requested, long now, Duration skew) {
        long stored = store.meta("epoch");
        if (stored > now + skew.toMillis()) {
            LOG.log(System.Logger.Level.WARNING, () -> self + ": the counter file's last epoch " + stored
                    + " is in the future; ignored");
        }
        long epoch = Math.max(requested, stored > now + skew.toMillis() ? 0 : stored + 1);
        store.putMeta("epoch", epoch);
        return epoch;
    }
}
