package io.nvmesh.service.counters;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Entries in plain maps: for tests of the merge rule, and for an instance that keeps no files. */
final class HeapEntryStore implements EntryStore {

    private final Map<String, CounterEntry> entries = new HashMap<>();
    private final Map<String, Long> totals = new TreeMap<>();
    private final Map<String, Long> meta = new HashMap<>();

    @Override
    public CounterEntry get(String partition, String counter) {
        return entries.get(CounterEntry.key(partition, counter));
    }

    @Override
    public void put(CounterEntry entry) {
        entries.put(entry.key(), entry);
    }

    @Override
    public void remove(String partition, String counter) {
        entries.remove(CounterEntry.key(partition, counter));
    }

    @Override
    public void forEach(Consumer<CounterEntry> action) {
        entries.values().forEach(action);
    }

    @Override
    public long total(String counter) {
        return totals.getOrDefault(counter, 0L);
    }

    @Override
    public void putTotal(String counter, long value) {
        EntryStore.setTotal(totals, counter, value);
    }

    @Override
    public void forEachTotal(BiConsumer<String, Long> action) {
        totals.forEach(action);
    }

    @Override
    public long meta(String name) {
        return meta.getOrDefault(name, 0L);
    }

    @Override
    public void putMeta(String name, long value) {
        meta.put(name, value);
    }

    @Override
    public void clear() {
        entries.clear();
        totals.clear();
    }

    @Override
    public void close() {
    }
}
