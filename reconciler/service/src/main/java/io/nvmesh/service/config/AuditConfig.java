package io.nvmesh.service.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the audit log is written and how much of it is kept.
 *
 * @param file     the current file; older ones beside it as {@code <file>.1} (newest) … {@code <file>.<keep-1>}
 * @param maxBytes the size past which the current file is rotated
 * @param keep     how many files are kept, the current one included
 */
public record AuditConfig(Path file, long maxBytes, int keep) {

    public static final long DEFAULT_MAX_BYTES = 50L * 1024 * 1024;
    public static final int DEFAULT_KEEP = 5;
    static final long MIN_MAX_BYTES = 1024;
    static final int MAX_KEEP = 100;

    public AuditConfig {
        Objects.requireNonNull(file, "file");
        if (maxBytes < MIN_MAX_BYTES) {
            throw new IllegalArgumentException("audit.maxBytes must be at least " + MIN_MAX_BYTES + ", got "
                    + maxBytes);
        }
        if (keep < 1 || keep > MAX_KEEP) {
            throw new IllegalArgumentException("audit.keep must be 1.." + MAX_KEEP + ", got " + keep);
        }
    }

    /** {@code <dataDir>/audit/audit.log}, 50 MiB, 5 files. */
    public static AuditConfig in(Path dataDir) {
        return new AuditConfig(dataDir.resolve("audit").resolve("audit.log"), DEFAULT_MAX_BYTES, DEFAULT_KEEP);
    }
}
