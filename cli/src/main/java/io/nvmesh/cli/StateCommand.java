package io.nvmesh.cli;

import io.nvmesh.core.reconcile.StateRefs;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh state}: the explicit acts on the recorded state's history that no writer does on its own. */
@Command(name = "state",
        mixinStandardHelpOptions = true,
        description = {
            "Start or restore the recorded state on refs/nvmesh/state. Reconcilers never start a new state on their "
                    + "own once one existed: a lost or unreadable state ref stops every writer until a person "
                    + "restores it (nvmesh fsck names the last good commit) or deliberately starts afresh."
        },
        subcommands = {StateCommand.Init.class, StateCommand.Restore.class},
        footerHeading = "%nExamples:%n",
        footer = {"  nvmesh fsck                      # names the last good commit when the state is lost",
            "  nvmesh state restore 3f9c2a1e...",
            "  nvmesh state init                 # a brand-new repository only", ""})
final class StateCommand extends CommandGroup {

    @Command(name = "init",
            mixinStandardHelpOptions = true,
            description = {
                "Start a new, empty recorded state and anchor it (refs/nvmesh/state-root).",
                "Refused while a state exists, or once one existed here (the anchor or the ref's reflog says so): a "
                        + "new state forgets every allocation, so drive space in use would be handed out again."
            },
            footerHeading = "%nExamples:%n",
            footer = {"  nvmesh state init", "  nvmesh state init --force   # replaces the state's history: data loss",
                "", "Exit codes: 0 started, 1 refused, 2 usage error.%n"})
    static final class Init implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        RepositoryOptions repository;

        @Option(names = "--force", description = "Start afresh even though a state exists or existed. Every "
                + "allocation recorded so far is forgotten; only do this when no volume's data matters.")
        boolean force;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (RepositoryOptions.Opened repo = repository.open()) {
                String commit = StateRefs.init(repo.store(), repo.store().defaultAuthor(), force);
                out.println("started a new recorded state at " + commit + " (anchored as its root)");
            }
            return ExitCode.OK.code();
        }
    }

    @Command(name = "restore",
            mixinStandardHelpOptions = true,
            description = {
                "Point refs/nvmesh/state back at COMMIT, an earlier state commit, after the ref was lost or became "
                        + "unreadable. COMMIT must read cleanly and descend from the state's anchored root. A ref that "
                        + "still reads is rewound only with --force.",
                "Writers resume from it at their next pass; what was recorded after COMMIT is re-learned from the "
                        + "node agents and the desired branch."
            },
            footerHeading = "%nExamples:%n",
            footer = {"  nvmesh fsck                        # prints: last good commit: <id> ...",
                "  nvmesh state restore <id>", "", "Exit codes: 0 restored, 1 refused, 2 usage error.%n"})
    static final class Restore implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        RepositoryOptions repository;

        @Parameters(paramLabel = "COMMIT", description = "The state commit to restore (40 hex digits).")
        String commit;

        @Option(names = "--force", description = "Rewind a state ref that still reads. Every allocation recorded "
                + "after COMMIT is forgotten; without --force only a missing or unreadable ref is restored.")
        boolean force;

        @Override
        public Integer call() {
            if (!commit.matches("[0-9a-f]{40}")) {
                throw CommandException.usage("\"" + commit + "\" is not a 40-digit commit id");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (RepositoryOptions.Opened repo = repository.open()) {
                String was = StateRefs.restore(repo.store(), commit, force);
                out.println("refs/nvmesh/state now points at " + commit + " (was "
                        + (was.isEmpty() ? "missing or unreadable" : was) + ")");
            }
            return ExitCode.OK.code();
        }
    }
}
