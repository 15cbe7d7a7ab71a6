package io.nvmesh.cli;

import static io.nvmesh.core.state.CommitIds.shortId;

import io.nvmesh.core.reconcile.Fsck;
import io.nvmesh.core.reconcile.FsckReport;
import io.nvmesh.core.reconcile.HistoryCheck;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh fsck}: proves the recorded state consistent. */
@Command(name = "fsck",
        mixinStandardHelpOptions = true,
        description = {
            "Check the recorded state on refs/nvmesh/state: every file reads; no two extents on a drive overlap; "
                    + "every extent lies within a known drive; every group has the shape and separation its policy "
                    + "asks for (as of the desired commit the state was reconciled from); every reference resolves.",
            "Volumes with a segment on a failed or missing drive, or on an unhealthy target, are reported as warnings "
                    + "(degraded), not errors; so are volumes whose data is lost (a group with no surviving copy), "
                    + "naming the group.",
            "A missing, unreadable or replaced state ref is an error: fsck names the last good commit it can find "
                    + "(reflog, anchor) and how to restore it.",
            "With --history, also walks every state commit and checks it against its parent: no extent of one volume "
                    + "ever overlapped another's; space was freed only after its targets released it; a segment was "
                    + "replaced only while its group had a live copy (or for an accepted data loss); a deleted volume "
                    + "was absent from the desired commit it was deleted for; the desired commit never moved "
                    + "backwards; the history starts at the anchored root."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  nvmesh fsck",
            "  nvmesh fsck --repo git://storage-git/desired.git",
            "  nvmesh fsck --history",
            "  nvmesh fsck --history --since 3f9c2a1e...   # only the commits after it",
            "",
            "Exit codes: 0 consistent, 1 violations found (each listed) or the state is lost, 2 usage error.%n"
        })
final class FsckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RepositoryOptions repository;

    @Option(names = "--history", description = "Also check every state commit against its parent.")
    boolean history;

    @Option(names = "--since", paramLabel = "COMMIT",
            description = "With --history: start after this state commit instead of at the root.")
    String since = "";

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (RepositoryOptions.Opened repo = repository.open()) {
            FsckReport r = Fsck.check(repo.store(), repository.branch);
            r.findings().forEach(f -> out.println(f.render()));
            long warnings = r.findings().size() - r.errors().size();
            if (r.stateCommit().isEmpty() && !r.clean()) {
                out.println("state: unavailable; every writer is stopped until it is restored");
            } else {
                out.printf("state %s: %d volumes, %d drives: %s%n", shortId(r.stateCommit()),
                        r.volumes(), r.drives(), (r.clean() ? "consistent" : r.errors().size() + " violation"
                                + (r.errors().size() == 1 ? "" : "s")) + (warnings == 0 ? "" : ", " + warnings
                                + " warning" + (warnings == 1 ? "" : "s")));
            }
            boolean clean = r.clean();
            if (history) {
                if (!since.isEmpty() && !since.matches("[0-9a-f]{40}")) {
                    throw CommandException.usage("--since: \"" + since + "\" is not a 40-digit commit id");
                }
                HistoryCheck.Report h = HistoryCheck.check(repo.store(), repository.branch, since);
                h.findings().forEach(f -> out.println(f.render()));
                out.printf("history: %d state commit%s%s: %s%n", h.commits(), h.commits() == 1 ? "" : "s",
                        h.commits() == 0 ? "" : " from " + shortId(h.from()) + " to "
                                + shortId(h.to()), h.clean() ? "every step keeps the rules"
                                : h.findings().size() + " violation" + (h.findings().size() == 1 ? "" : "s"));
                clean &= h.clean();
            }
            return clean ? ExitCode.OK.code() : ExitCode.PROBLEMS.code();
        }
    }
}
