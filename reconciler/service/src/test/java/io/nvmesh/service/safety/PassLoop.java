package io.nvmesh.service.safety;

import io.nvmesh.core.reconcile.GitOpsRefusal;
import io.nvmesh.core.reconcile.ReconcileReport;
import io.nvmesh.core.reconcile.Reconciler;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.RetryPolicy;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.StoreOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Reconcile passes in a loop, as a reconciler instance runs them but without the service around them: {@code new
 * Reconciler(store, "main", share::owns, author).reconcileOnce()} again and again. Also a main, so that a loop can run
 * in a process of its own: {@code PassLoop REPO|URL CACHE WRITER RESIDUES MODULUS STOPFILE} prints {@code ready}, then
 * one {@code refused: ...} line per writer refusal and {@code done PASSES RECORDED RETRIES} once the stop file exists
 * and a pass after it found nothing to do.
 */
final class PassLoop {

    /** Owns a volume when its name hashes to one of {@code residues} modulo {@code modulus}. */
    record Share(Set<Integer> residues, int modulus) {
        boolean owns(String volume) {
            return residues.contains(Math.floorMod(volume.hashCode(), modulus));
        }

        static Share all() {
            return new Share(Set.of(0), 1);
        }

        static Share of(int modulus, Integer... residues) {
            return new Share(Set.of(residues), modulus);
        }

        static Share parse(String residues, int modulus) {
            Set<Integer> r = new HashSet<>();
            for (String s : residues.split(",")) {
                r.add(Integer.parseInt(s));
            }
            return new Share(r, modulus);
        }

        String residuesArg() {
            return String.join(",", residues.stream().map(String::valueOf).toList());
        }
    }

    /** What a loop did. {@code refusals}: the writer refused what a pass proposed (a planner bug it caught). */
    record Counts(int passes, int recorded, int retries, int stale, List<String> refusals, List<String> errors) {
    }

    private PassLoop() {
    }

    static StoreOptions options(String writer) {
        return StoreOptions.forWriter(writer).withRetry(RetryPolicy.forWriter(writer).withMaxAttempts(200)
                .withDelays(Duration.ofMillis(2), Duration.ofMillis(100)));
    }

    static StateStore open(String repo, Path cache, String writer) {
        return repo.contains("://") ? StateStore.remote(repo, cache, options(writer))
                : StateStore.openOrCreate(Path.of(repo), options(writer));
    }

    /** Runs passes until {@code stop} was true before a pass that found nothing to do. */
    static Counts run(StateStore store, String writer, Share share, BooleanSupplier stop) {
        Reconciler reconciler = new Reconciler(store, "main", share::owns,
                new Author("pass loop " + writer, writer + "@test.nvmesh"));
        int passes = 0;
        int recorded = 0;
        int retries = 0;
        int stale = 0;
        List<String> refusals = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        while (true) {
            boolean stopping = stop.getAsBoolean();
            passes++;
            try {
                ReconcileReport r = reconciler.reconcileOnce();
                retries += r.retries();
                if (r.outcome() == ReconcileReport.Kind.RECORDED) {
                    recorded++;
                }
                if (stopping && r.outcome() == ReconcileReport.Kind.UNCHANGED) {
                    return new Counts(passes, recorded, retries, stale, refusals, errors);
                }
            } catch (GitOpsRefusal e) {
                if (e.getMessage().contains("kept moving")) {
                    stale++; // the desired branch moved under five passes in a row: the next pass starts again
                } else {
                    refusals.add(e.getMessage());
                }
            } catch (RuntimeException e) {
                // A fetch or push that failed under load: the next pass tries again, as a service's loop does.
                errors.add(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            if (refusals.size() + errors.size() > 50) {
                return new Counts(passes, recorded, retries, stale, refusals, errors);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    public static void main(String[] args) {
        Path stop = Path.of(args[5]);
        try (StateStore store = open(args[0], Path.of(args[1]), args[2])) {
            System.out.println("ready");
            System.out.flush();
            Counts c = run(store, args[2], Share.parse(args[3], Integer.parseInt(args[4])), () -> Files.exists(stop));
            c.refusals().forEach(r -> System.out.println("refused: " + r.lines().findFirst().orElse("")));
            c.errors().forEach(r -> System.out.println("error: " + r.lines().findFirst().orElse("")));
            System.out.println("done " + c.passes() + " " + c.recorded() + " " + c.retries() + " " + c.stale());
        }
    }
}
