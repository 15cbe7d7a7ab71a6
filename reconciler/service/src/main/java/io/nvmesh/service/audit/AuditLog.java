package io.nvmesh.service.audit;

import io.nvmesh.service.config.AuditConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Appends {@link AuditEntry} lines to a {@link RotatingFile} from one thread of its own: {@link #record} only offers
 * the entry to a bounded queue, so a request never waits for the disk. When the queue is full (a flood the limits did
 * not stop, a stalled disk) the entry is dropped and counted, and a {@code dropped} line says how many once the writer
 * catches up: the log is honest about its gaps.
 */
public final class AuditLog implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AuditLog.class.getName());
    static final int QUEUE = 8192;

    private static final AuditEntry STOP = new AuditEntry(Instant.EPOCH, "stop", "", null, null, null, null, null,
            null, null, null);

    private final BlockingQueue<AuditEntry> queue;
    private final RotatingFile file;
    private final Thread writer;
    private final LongAdder written = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private volatile boolean closed;

    private AuditLog(RotatingFile file, String name) {
        this.file = file;
        this.queue = file == null ? null : new ArrayBlockingQueue<>(QUEUE);
        if (file == null) {
            writer = null;
            return;
        }
        writer = new Thread(this::drain, "nvmesh-audit-" + name);
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Opens (or appends to) the configured file and starts its writer.
     *
     * @throws UncheckedIOException when the file or its folder cannot be made
     */
    public static AuditLog open(AuditConfig config, String name) {
        try {
            return new AuditLog(new RotatingFile(config.file(), config.maxBytes(), config.keep()), name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the audit log " + config.file() + ": " + e.getMessage(), e);
        }
    }

    /** A log that keeps nothing: for servers started without an instance configuration (tests, tools). */
    public static AuditLog discarding() {
        return new AuditLog(null, "none");
    }

    /** Queues one line; never blocks. */
    public void record(AuditEntry entry) {
        if (queue == null || closed) {
            return;
        }
        if (!queue.offer(entry)) {
            dropped.increment();
        }
    }

    /** Lines written so far. */
    public long written() {
        return written.sum();
    }

    /** Lines dropped so far because the writer could not keep up. */
    public long dropped() {
        return dropped.sum();
    }

    private void drain() {
        List<AuditEntry> batch = new ArrayList<>(256);
        long droppedReported = 0;
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                stopping = true;
            }
            queue.drainTo(batch, 1024);
            try {
                for (AuditEntry e : batch) {
                    if (e == STOP) {
                        stopping = true;
                        continue;
                    }
                    line(e);
                }
                long lost = dropped.sum();
                if (lost > droppedReported) {
                    line(new AuditEntry(Instant.now(), AuditEntry.DROPPED, "anonymous", null, null, null, null, null,
                            null, null, (lost - droppedReported) + " line(s) dropped: the writer fell behind"));
                    droppedReported = lost;
                }
                file.flush();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, "the audit log could not be written: " + e.getMessage());
            }
            batch.clear();
        }
    }

    private void line(AuditEntry e) throws IOException {
        file.write((e.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
        written.increment();
    }

    /** Writes what is queued and closes the file. Idempotent. */
    @Override
    public void close() {
        if (writer == null || closed) {
            return;
        }
        closed = true;
        try {
            queue.put(STOP);
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writer.interrupt();
        }
        try {
            file.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the audit log: " + e.getMessage());
        }
    }
}
