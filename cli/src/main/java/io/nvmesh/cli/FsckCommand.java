package io.nvmesh.cli;

import io.nvmesh.core.reconcile.Fsck;
import io.nvmesh.core.reconcile.FsckReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
                    + "naming the group."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  nvmesh fsck",
            "  nvmesh fsck --repo git://storage-git/desired.git",
            "",
            "Exit codes: 0 consistent, 1 violations found (each listed), 2 usage error.%n"
        })
final class FsckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RepositoryOptions repository;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (RepositoryOptions.Opened repo = repository.open()) {
            Verbose.say(repository, repo, spec);
            FsckReport r = Fsck.check(repo.store(), repository.branch);
            r.findings().forEach(f -> out.println(f.render()));
            long warnings = r.findings().size() - r.errors().size();
            out.printf("state %s: %d volumes, %d drives: %s%n", InventoryCommand.shortId(r.stateCommit()), r.volumes(),
                    r.drives(), (r.clean() ? "consistent" : r.errors().size() + " violation"
                            + (r.errors().size() == 1 ? "" : "s")) + (warnings == 0 ? "" : ", " + warnings
                            + " warning" + (warnings == 1 ? "" : "s")));
            return r.clean() ? ExitCode.OK.code() : ExitCode.PROBLEMS.code();
        }
    }
}
