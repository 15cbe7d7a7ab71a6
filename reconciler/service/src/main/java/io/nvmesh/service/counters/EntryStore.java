package io.nvmesh.service.counters;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Storage of counter entries and totals, without any rule: {@link CounterTable} decides what to write. Two kinds:
 * on the heap (tests of the merge rule) and in Chronicle Map files (the instance).
 */
interface EntryStore extends AutoCloseable {

    /** The entry, or null. */
    CounterEntry get(String partition, String counter);

    void put(CounterEntry entry);

    void remove(String partition, String counter);

    void forEach(Consumer<CounterEntry> action);

    /** The total of a counter, 0 when absent. */
    long total(String counter);

    /** Sets a total; 0 removes it. */
    void putTotal(String counter, long value);

    void forEachTotal(BiConsumer<String, Long> action);

    /** A small named number kept with the counters (e.g. the last epoch written), 0 when absent. */
    long meta(String name);

    void putMeta(String name, long value);

    void clear();

    @Override
    void close();

    /** Sets a total in a map of totals the way {@link #putTotal} says: a zero total is not kept. */
    static void setTotal(Map<String, Long> totals, String counter, long value) {
        if (value == 0) {
            totals.remove(counter);
        } else {
            totals.put(counter, value);
        }
    }
}
