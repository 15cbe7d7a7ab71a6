package io.nvmesh.service.counters;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import net.openhft.chronicle.hash.ChronicleHashCorruption;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * Entries and totals in two Chronicle Map files of the instance's data folder: {@code counter-entries.dat} (stored key
 * to a 32-byte value, term, epoch and sequence followed by the contributor id) and {@code counter-totals.dat} (counter
 * key to the total; names starting with {@code #} hold small numbers such as the last epoch).
 *
 * <p>The only class that sees Chronicle types. Files closed cleanly are simply reopened. Files of a run that did not
 * close them (the open marker is still there: a crash, a kill -9) are opened with Chronicle's recovery, which checks
 * every entry's checksum. A file that cannot be opened or recovered, or that reports any corruption, is discarded and
 * replaced by an empty one, and {@link #damaged()} says so: the caller then rebuilds.
 */
final class ChronicleEntryStore implements EntryStore {

    private static final System.Logger LOG = System.getLogger(ChronicleEntryStore.class.getName());

    static final String ENTRIES_FILE = "counter-entries.dat";
    static final String TOTALS_FILE = "counter-totals.dat";
    /** Present while the files are open: found at start, it means the last run did not close them. */
    static final String OPEN_MARKER = "counter-files.open";
    private static final String META = "#";

    private final ChronicleMap<String, byte[]> entries;
    private final ChronicleMap<String, Long> totals;
    private final Path marker;
    private final boolean fresh;
    private final boolean damaged;
    private final boolean recovered;

    private ChronicleEntryStore(ChronicleMap<String, byte[]> entries, ChronicleMap<String, Long> totals, Path marker,
                                boolean fresh, boolean damaged, boolean recovered) {
        this.entries = entries;
        this.totals = totals;
        this.marker = marker;
        this.fresh = fresh;
        this.damaged = damaged;
        this.recovered = recovered;
    }

    /**
     * Opens (or creates) the files in {@code dir}.
     *
     * @param maxEntries how many counter entries the file is sized for; it may grow a few times beyond
     */
    static ChronicleEntryStore open(Path dir, long maxEntries) {
        disableAnalytics();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        checkRuntime();
        File entriesFile = dir.resolve(ENTRIES_FILE).toFile();
        File totalsFile = dir.resolve(TOTALS_FILE).toFile();
        Path marker = dir.resolve(OPEN_MARKER);
        boolean fresh = !entriesFile.exists() || !totalsFile.exists();
        boolean crashed = Files.exists(marker);
        boolean damaged = false;
        ChronicleMap<String, byte[]> entries = null;
        ChronicleMap<String, Long> totals = null;
        if (!fresh) {
            try {
                if (crashed) {
                    LOG.log(System.Logger.Level.WARNING, "counter files in " + dir + " were not closed by the last run; "
                            + "recovering them");
                    entries = recover(entriesBuilder(maxEntries), entriesFile);
                    totals = recover(totalsBuilder(maxEntries), totalsFile);
                } else {
                    entries = entriesBuilder(maxEntries).createPersistedTo(entriesFile);
                    totals = totalsBuilder(maxEntries).createPersistedTo(totalsFile);
                }
            } catch (IOException | RuntimeException | Error e) {
                LOG.log(System.Logger.Level.WARNING, "counter files in " + dir + " are damaged (" + e
                        + "); starting from empty files, to be rebuilt");
                damaged = true;
                closeQuietly(entries);
                closeQuietly(totals);
            }
        }
        if (fresh || damaged) {
            delete(entriesFile);
            delete(totalsFile);
            try {
                entries = entriesBuilder(maxEntries).createPersistedTo(entriesFile);
                totals = totalsBuilder(maxEntries).createPersistedTo(totalsFile);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the counter files in " + dir + ": " + e.getMessage(), e);
            }
        }
        try {
            Files.writeString(marker, ProcessHandle.current().pid() + "\n");
        } catch (IOException e) {
            closeQuietly(entries);
            closeQuietly(totals);
            throw new UncheckedIOException("cannot write " + marker + ": " + e.getMessage(), e);
        }
        return new ChronicleEntryStore(entries, totals, marker, fresh, damaged, crashed && !fresh && !damaged);
    }

    /**
     * The product never phones home. The launcher and the test JVMs pass {@code -Dchronicle.analytics.disable=true};
     * this repeats it before Chronicle's first use, for any other way the service is started.
     */
    static void disableAnalytics() {
        System.setProperty("chronicle.analytics.disable", "true");
        // Its start-up banner (a local log line asking for an e-mail address) has no place in the daemon's log.
        System.setProperty("chronicle.announcer.disable", "true");
    }

    /**
     * Chronicle reaches into JDK internals; on Java 17 that fails in a static initialiser unless the JVM was started
     * with the flags of {@code packaging/bin/nvmesh}. Said once, clearly, instead of a stack trace.
     */
    private static void checkRuntime() {
        try {
            ChronicleMap.of(String.class, Long.class);
        } catch (LinkageError e) {
            throw new IllegalStateException("Chronicle Map (the counters' files) cannot run in this JVM; start it with "
                    + "the flags of packaging/bin/nvmesh (--add-exports/--add-opens for java.base, jdk.unsupported and "
                    + "jdk.compiler, -Dchronicle.analytics.disable=true): " + e, e);
        }
    }

    private static <V> ChronicleMap<String, V> recover(ChronicleMapBuilder<String, V> builder, File file)
            throws IOException {
        AtomicInteger corruptions = new AtomicInteger();
        ChronicleHashCorruption.Listener listener = c -> {
            corruptions.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, () -> file + ": " + c.message());
        };
        ChronicleMap<String, V> map = builder.recoverPersistedTo(file, true, listener);
        if (corruptions.get() > 0) {
            map.close();
            throw new IOException(corruptions.get() + " corruption(s) found while recovering " + file.getName());
        }
        return map;
    }

    private static ChronicleMapBuilder<String, byte[]> entriesBuilder(long maxEntries) {
        return ChronicleMap.of(String.class, byte[].class)
                .name("nvmesh-counter-entries")
                .entries(maxEntries)
                .averageKeySize(48)
                .averageValueSize(40)
                .maxBloatFactor(4.0);
    }

    private static ChronicleMapBuilder<String, Long> totalsBuilder(long maxEntries) {
        return ChronicleMap.of(String.class, Long.class)
                .name("nvmesh-counter-totals")
                .entries(Math.max(1_000, maxEntries / 4))
                .averageKeySize(32)
                .maxBloatFactor(4.0);
    }

    /** Deletes the counter files of {@code dir} (they must be closed). */
    static void discard(Path dir) {
        delete(dir.resolve(ENTRIES_FILE).toFile());
        delete(dir.resolve(TOTALS_FILE).toFile());
    }

    /** Whether the files did not exist and were created empty. */
    boolean fresh() {
        return fresh;
    }

    /** Whether the files were left open by the last run and have been recovered. */
    boolean recovered() {
        return recovered;
    }

    /** Whether the files existed but could not be trusted, and were replaced by empty ones. */
    boolean damaged() {
        return damaged;
    }

    @Override
    public CounterEntry get(String partition, String counter) {
        byte[] v = entries.get(CounterEntry.key(partition, counter));
        return v == null ? null : decode(partition, counter, v);
    }

    @Override
    public void put(CounterEntry e) {
        entries.put(e.key(), encode(e));
    }

    @Override
    public void remove(String partition, String counter) {
        entries.remove(CounterEntry.key(partition, counter));
    }

    @Override
    public void forEach(Consumer<CounterEntry> action) {
        entries.forEach((key, v) -> {
            int sep = key.indexOf(CounterKeys.SEPARATOR);
            action.accept(decode(key.substring(0, sep), key.substring(sep + 1), v));
        });
    }

    @Override
    public long total(String counter) {
        Long v = totals.get(counter);
        return v == null ? 0 : v;
    }

    @Override
    public void putTotal(String counter, long value) {
        EntryStore.setTotal(totals, counter, value);
    }

    @Override
    public void forEachTotal(BiConsumer<String, Long> action) {
        totals.forEach((k, v) -> {
            if (!k.startsWith(META)) {
                action.accept(k, v);
            }
        });
    }

    @Override
    public long meta(String name) {
        Long v = totals.get(META + name);
        return v == null ? 0 : v;
    }

    @Override
    public void putMeta(String name, long value) {
        totals.put(META + name, value);
    }

    @Override
    public void clear() {
        entries.clear();
        totals.keySet().removeIf(k -> !k.startsWith(META));
    }

    /** Closes the files; the open marker goes last, so that only a complete close counts as clean. */
    @Override
    public void close() {
        closeQuietly(entries);
        closeQuietly(totals);
        try {
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete " + marker + "; the next start will run recovery", e);
        }
    }

    static byte[] encode(CounterEntry e) {
        byte[] who = e.stamp().contributor().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(32 + who.length).putLong(e.value()).putLong(e.stamp().term())
                .putLong(e.stamp().epoch()).putLong(e.stamp().seq()).put(who).array();
    }

    static CounterEntry decode(String partition, String counter, byte[] v) {
        if (v.length < 32) {
            throw new IllegalStateException("counter entry " + partition + " " + counter + " is " + v.length
                    + " bytes, fewer than 32");
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        long value = b.getLong();
        long term = b.getLong();
        long epoch = b.getLong();
        long seq = b.getLong();
        String who = new String(v, 32, v.length - 32, StandardCharsets.UTF_8);
        return new CounterEntry(partition, counter, value, new Stamp(term, who, epoch, seq));
    }

    private static void delete(File f) {
        try {
            Files.deleteIfExists(f.toPath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + f + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(ChronicleMap<?, ?> map) {
        if (map != null) {
            try {
                map.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing a counter map failed", e);
            }
        }
    }
}
