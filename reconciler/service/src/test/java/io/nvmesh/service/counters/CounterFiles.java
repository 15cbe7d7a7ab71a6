package io.nvmesh.service.counters;

import java.nio.file.Path;

/** Writes into a stopped instance's counter files directly, as damage or an attacker with disk access would. */
public final class CounterFiles {

    private CounterFiles() {
    }

    /** Puts an entry into the counter files in {@code dir}, as it is, with no rule applied. */
    public static void put(Path dir, CounterEntry entry) {
        try (ChronicleEntryStore store = ChronicleEntryStore.open(dir, Counters.DEFAULT_MAX_ENTRIES)) {
            store.put(entry);
        }
    }
}
