package io.nvmesh.core.state;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the lock files that keep a ref from moving and removes those a crashed writer left behind.
 *
 * <p>A lock is abandoned when its modification time is older than the threshold, measured against the modification
 * time of a file we create in the same directory, so the file system's clock, not ours, is the judge (this matters
 * on a network file system whose server clock differs from ours). A live writer holds a lock for milliseconds; Git
 * never removes locks by itself, so the threshold is a bet that no writer stalls that long while holding one.
 *
 * <p>Removal is serialised between recoverers with a guard file and only happens if the lock is still the very file
 * (same file key, same time) that was judged abandoned, so a recoverer never removes a lock a live writer just took.
 */
final class StaleLocks {

    /** What one look found: the locks removed, and a lock too young to remove, if any. */
    record Inspection(List<Path> removed, Optional<Path> fresh, Duration freshAge) {
    }

    private static final String GUARD = "nvmesh-lock-recovery";

    private final Path gitDir;
    private final Duration threshold;

    StaleLocks(Path gitDir, Duration threshold) {
        this.gitDir = gitDir;
        this.threshold = threshold;
    }

    /** The lock files that block an update of {@code fullRef}. */
    List<Path> candidates(String fullRef) {
        return List.of(gitDir.resolve(fullRef + ".lock"), gitDir.resolve("packed-refs.lock"));
    }

    Inspection recover(String fullRef) {
        List<Path> removed = new ArrayList<>();
        Path fresh = null;
        Duration freshAge = Duration.ZERO;
        Instant now = null;
        for (Path lock : candidates(fullRef)) {
            BasicFileAttributes seen = attributes(lock);
            if (seen == null) {
                continue;
            }
            if (now == null) {
                now = fileSystemNow();
            }
            Duration age = Duration.between(seen.lastModifiedTime().toInstant(), now);
            if (age.compareTo(threshold) >= 0) {
                if (removeIfUnchanged(lock, seen, now)) {
                    removed.add(lock);
                }
            } else if (fresh == null) {
                fresh = lock;
                freshAge = age;
            }
        }
        return new Inspection(List.copyOf(removed), Optional.ofNullable(fresh), freshAge);
    }

    private boolean removeIfUnchanged(Path lock, BasicFileAttributes seen, Instant now) {
        Path guard = gitDir.resolve(GUARD);
        try {
            Files.createFile(guard);
        } catch (FileAlreadyExistsException e) {
            // Another recoverer is at work; a guard older than the threshold is itself left over from a crash.
            BasicFileAttributes g = attributes(guard);
            if (g != null && Duration.between(g.lastModifiedTime().toInstant(), now).compareTo(threshold) >= 0) {
                deleteQuietly(guard);
            }
            return false;
        } catch (IOException e) {
            return false;
        }
        try {
            BasicFileAttributes current = attributes(lock);
            if (current == null || !Objects.equals(current.fileKey(), seen.fileKey())
                    || !current.lastModifiedTime().equals(seen.lastModifiedTime())) {
                return false;
            }
            Files.delete(lock);
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            deleteQuietly(guard);
        }
    }

    /** Now, according to the file system holding the repository. */
    Instant fileSystemNow() {
        try {
            Path probe = Files.createTempFile(gitDir, "nvmesh-clock-", ".probe");
            try {
                return Files.getLastModifiedTime(probe).toInstant();
            } finally {
                deleteQuietly(probe);
            }
        } catch (IOException e) {
            return Instant.now();
        }
    }

    private static BasicFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: a leftover guard or probe is harmless and recovered by age
        }
    }
}
