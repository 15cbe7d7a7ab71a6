package io.nvmesh.cli;

import static io.nvmesh.cli.Phrases.bytes;
import static io.nvmesh.cli.Phrases.retries;
import static io.nvmesh.core.state.CommitIds.shortId;

import io.nvmesh.core.allocation.Action;
import io.nvmesh.core.allocation.ActionKind;
import io.nvmesh.core.reconcile.ReconcileReport;
import io.nvmesh.core.reconcile.Reconciler;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh reconcile}: turns the desired branch into allocations on the state ref. */
@Command(name = "reconcile",
        mixinStandardHelpOptions = true,
        description = {
            "Read the desired branch and the recorded state, plan, and record allocations and volume statuses in "
                    + "one compare-and-swap commit on refs/nvmesh/state. A lost race re-reads the state and plans "
                    + "again. An invalid desired commit is recorded as invalid and nothing of it is applied.",
            "Without --once, runs a pass every --interval until interrupted (Ctrl-C)."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  nvmesh reconcile --once",
            "  nvmesh reconcile --interval 30s",
            "",
            "Exit codes: 0 reconciled (or nothing to do), 1 the desired commit is invalid or a pass gave up, "
                    + "2 usage error.%n"
        })
final class ReconcileCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RepositoryOptions repository;

    @Option(names = "--once", description = "Run one pass, then exit.")
    boolean once;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10s",
            description = "Time between passes without --once: 500ms, 10s, 1m (default: ${DEFAULT-VALUE}).")
    String interval;

    @Override
    public Integer call() throws InterruptedException {
        Duration every = DurationOption.parse("--interval", interval);
        PrintWriter out = spec.commandLine().getOut();
        try (RepositoryOptions.Opened repo = repository.open()) {
            Reconciler reconciler = new Reconciler(repo.store(), repository.branch);
            while (true) {
                ReconcileReport r = reconciler.reconcileOnce();
                print(r, out);
                if (once) {
                    return r.outcome() == ReconcileReport.Kind.INVALID || r.outcome() == ReconcileReport.Kind.GAVE_UP
                            ? ExitCode.PROBLEMS.code() : ExitCode.OK.code();
                }
                Thread.sleep(every.toMillis());
            }
        }
    }

    static void print(ReconcileReport r, PrintWriter out) {
        String desired = shortId(r.desiredCommit());
        switch (r.outcome()) {
            case RECORDED -> {
                for (Action a : r.placed()) {
                    out.println("  " + verb(a) + " " + a.volume() + detail(a));
                }
                for (Action a : r.unplaceable()) {
                    out.println("  cannot " + a.kind().name().toLowerCase(Locale.ROOT) + " " + a.volume() + ": "
                            + a.reason());
                }
                r.blocked().forEach(b -> out.println("  blocked deletion of " + b + " (deletionProtection: true)"));
                out.println("reconciled " + desired + " → state " + shortId(r.stateCommit()) + ": "
                        + counts(r) + retries(r.retries()));
            }
            case UNCHANGED -> {
                for (Action a : r.unplaceable()) {
                    out.println("  cannot " + a.kind().name().toLowerCase(Locale.ROOT) + " " + a.volume() + ": "
                            + a.reason());
                }
                out.println("up to date: state " + shortId(r.stateCommit()) + " matches desired "
                        + desired + retries(r.retries()));
            }
            case INVALID -> out.println("desired " + r.message() + "; recorded, nothing applied (last good state "
                    + "kept)");
            case NO_DESIRED, GAVE_UP -> out.println(r.message());
        }
        out.flush();
    }

    private static String verb(Action a) {
        return switch (a.kind()) {
            case CREATE -> "created";
            case EXTEND -> "extended";
            case DELETE -> "deleted";
            case MOVE -> "moved";
        };
    }

    private static String detail(Action a) {
        return switch (a.kind()) {
            case CREATE -> " (" + bytes(a.sizeAfter()) + ")";
            case EXTEND -> " (" + bytes(a.sizeBefore()) + " → " + bytes(a.sizeAfter()) + ")";
            case MOVE -> ": segment " + a.move().from() + " → " + a.move().to() + " (" + a.move().cause() + ")";
            case DELETE -> "";
        };
    }

    private static String counts(ReconcileReport r) {
        long c = r.placed().stream().filter(a -> a.kind() == ActionKind.CREATE).count();
        long e = r.placed().stream().filter(a -> a.kind() == ActionKind.EXTEND).count();
        long d = r.placed().stream().filter(a -> a.kind() == ActionKind.DELETE).count();
        long m = r.placed().stream().filter(a -> a.kind() == ActionKind.MOVE).count();
        return c + " created, " + e + " extended, " + d + " deleted, " + m + " moved, " + r.unplaceable().size()
                + " unplaceable";
    }
}
