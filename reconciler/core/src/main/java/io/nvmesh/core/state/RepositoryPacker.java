package io.nvmesh.core.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.internal.storage.file.GC;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.GcConfig;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.pack.PackConfig;

/**
 * Packs a repository with JGit's garbage collector while writers keep committing to it, keeping what the state's
 * safety checks need:
 *
 * <ul>
 * <li><b>No ref is touched.</b> Refs are not packed ({@code packRefs = false}): packing takes each loose ref's lock,
 * which a writer's compare-and-swap on {@code refs/nvmesh/state} would meet as a busy lock. The repack only reads
 * refs.</li>
 * <li><b>Every reflog is kept and is a root.</b> JGit's collector expires no reflog and packs every commit a reflog
 * names, so {@code previousTips} (what fsck offers to restore) and the whole first-parent history stay readable.</li>
 * <li><b>A reflog without its ref stops it.</b> The collector only walks the reflogs of refs that exist; the reflog of
 * a lost or unreadable state ref is exactly what a person restores from, so packing then is refused.</li>
 * <li><b>No object is pruned.</b> Objects written after the repack read the refs stay loose, and no unreachable loose
 * object is ever pruned (whatever the repository's configuration says; see {@link #NEVER}); objects in replaced packs
 * that the new pack lacks are loosened, not dropped; replaced packs younger than an hour are left for the next run.</li>
 * <li><b>One at a time.</b> An OS file lock on {@code nvmesh-pack.lock} in the repository (released if the process
 * dies) makes a second run, in this process or another, answer {@link PackReport.Outcome#BUSY}.</li>
 * <li><b>Gentle.</b> Delta search uses one thread, so a pass running at the same time keeps the other cores.</li>
 * </ul>
 */
final class RepositoryPacker {

    /**
     * Unreachable loose objects are never pruned, however old. A writer that produces bytes an unreachable object
     * already holds (a lost race's tree, say) finds the object present and does not write it again, and JGit does not
     * refresh its time: pruning it at that moment would leave the writer's new state pointing at a missing object. The
     * cost is the objects of lost races (a commit, a tree, a few small files each), kept loose.
     */
    static final long NEVER = Long.MAX_VALUE;

    /** Replaced packs younger than this are kept (a reader that listed them just now may still open them). */
    static final Duration PRUNE_PACKS_AFTER = Duration.ofHours(1);

    static final String LOCK_FILE = "nvmesh-pack.lock";

    /** Attempts at a pack whose reading of a reflog met a writer appending to it. */
    static final int REFLOG_ATTEMPTS = 5;

    private RepositoryPacker() {
    }

    static PackReport pack(Repository repo) {
        long start = System.nanoTime();
        if (!(repo instanceof FileRepository file)) {
            return new PackReport(PackReport.Outcome.REFUSED, "not a repository on disk", PackReport.Counts.NONE,
                    PackReport.Counts.NONE, since(start));
        }
        Path dir = repo.getDirectory().toPath();
        try (FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException held) {
                lock = null; // held by another thread of this process
            }
            GC gc = new GC(file);
            if (lock == null) {
                PackReport.Counts now = counts(gc);
                return new PackReport(PackReport.Outcome.BUSY, "another pack run holds " + dir.resolve(LOCK_FILE),
                        now, now, since(start));
            }
            try {
                PackReport.Counts before = counts(gc);
                String refusal = refusal(file);
                if (!refusal.isEmpty()) {
                    return new PackReport(PackReport.Outcome.REFUSED, refusal, before, before, since(start));
                }
                gc.setGcConfig(new GcConfig(GcConfig.PackRefsMode.FALSE));
                PackConfig config = new PackConfig(file);
                config.setThreads(1);
                gc.setPackConfig(config);
                gc.setExpireAgeMillis(NEVER);
                gc.setPackExpireAgeMillis(PRUNE_PACKS_AFTER.toMillis());
                for (int attempt = 1; ; attempt++) {
                    try {
                        gc.gc().join();
                        break;
                    } catch (IOException e) {
                        if (attempt >= REFLOG_ATTEMPTS || !reflogGrewWhileRead(e)) {
                            throw e;
                        }
                    }
                }
                return new PackReport(PackReport.Outcome.PACKED, "", before, counts(gc), since(start));
            } finally {
                lock.release();
            }
        } catch (IOException | ParseException | org.eclipse.jgit.api.errors.GitAPIException e) {
            throw GitStore.failure("cannot pack " + dir, e);
        }
    }

    /**
     * Why packing now could lose something a person needs, or {@code ""}: a reflog whose ref is missing or unreadable
     * (the collector would not walk it), or a prune age of "now" in the repository's configuration (replaced packs'
     * unreachable objects would be deleted instead of loosened).
     */
    static String refusal(FileRepository repo) throws IOException {
        List<String> orphans = new ArrayList<>();
        Path logs = repo.getDirectory().toPath().resolve("logs");
        Path refs = logs.resolve("refs");
        if (Files.isDirectory(refs)) {
            try (Stream<Path> walk = Files.walk(refs)) {
                for (Path log : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                    String name = logs.relativize(log).toString().replace('\\', '/');
                    if (repo.exactRef(name) == null) {
                        orphans.add(name);
                    }
                }
            }
        }
        if (!orphans.isEmpty()) {
            return String.join(", ", orphans) + (orphans.size() == 1 ? " has" : " have") + " a reflog but no "
                    + "readable ref; packing now could drop the commits only that reflog names (run `nvmesh fsck` "
                    + "and restore the state first)";
        }
        String expire = repo.getConfig().getString(ConfigConstants.CONFIG_GC_SECTION, null,
                ConfigConstants.CONFIG_KEY_PRUNEEXPIRE);
        if (expire != null && expire.trim().toLowerCase(Locale.ROOT).equals("now")) {
            return "gc.pruneExpire is \"now\" in " + repo.getDirectory().toPath().resolve("config")
                    + "; remove it (nvmesh keeps unreachable objects two weeks, for writers in flight)";
        }
        return "";
    }

    /**
     * JGit reads a reflog whole and fails ("File is too large") when one more byte is there after the end it read: a
     * writer appended its line in between. Nothing is written before the reflogs are read, so the run is started
     * again. Seen with 100,000 state commits (a 20 MB reflog) and passes committing back to back
     * (bench/pack.sh).
     */
    static boolean reflogGrewWhileRead(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.startsWith("File is too large") && m.replace('\\', '/').contains("/logs/");
    }

    private static PackReport.Counts counts(GC gc) throws IOException {
        GC.RepoStatistics s = gc.getStatistics();
        return new PackReport.Counts(s.numberOfLooseObjects, s.sizeOfLooseObjects, s.numberOfPackedObjects,
                s.numberOfPackFiles, s.sizeOfPackedObjects);
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
