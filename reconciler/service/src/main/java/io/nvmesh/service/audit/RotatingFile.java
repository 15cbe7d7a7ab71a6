package io.nvmesh.service.audit;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A file that is renamed aside when the next line would take it past {@code maxBytes}: {@code file} is the newest,
 * {@code file.1} the one before, up to {@code file.<keep-1>}; the oldest is deleted. Lines are never split across
 * files. Not thread-safe: one writer.
 */
final class RotatingFile implements AutoCloseable {

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private OutputStream out;
    private long size;

    RotatingFile(Path file, long maxBytes, int keep) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        open();
    }

    void write(byte[] line) throws IOException {
        if (size > 0 && size + line.length > maxBytes) {
            rotate();
        }
        out.write(line);
        size += line.length;
    }

    void flush() throws IOException {
        out.flush();
    }

    private void rotate() throws IOException {
        out.close();
        if (keep == 1) {
            Files.delete(file);
        } else {
            Files.deleteIfExists(aside(keep - 1));
            for (int i = keep - 2; i >= 1; i--) {
                if (Files.exists(aside(i))) {
                    Files.move(aside(i), aside(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, aside(1), StandardCopyOption.REPLACE_EXISTING);
        }
        open();
    }

    private Path aside(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    private void open() throws IOException {
        try {
            // Who called from where is for the operator only.
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // appended to
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.APPEND), 64 * 1024);
        size = Files.size(file);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
