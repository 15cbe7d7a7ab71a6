package io.nvmesh.cli;

import io.nvmesh.schema.validation.ManifestValidator;
import io.nvmesh.schema.validation.ValidationReport;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh validate}: schema and meaning checks of manifests, every problem reported at once. */
@Command(name = "validate",
        mixinStandardHelpOptions = true,
        description = {
            "Check manifests against the schema of their kind and against each other (references, unique "
                    + "names). Reports every problem on a line of its own, as file:line:column.",
            "Directories are searched recursively for *.yaml and *.yml; hidden directories are skipped."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  nvmesh validate                          the current directory",
            "  nvmesh validate policies/ volumes/db.yaml",
            "  git show HEAD:volumes/db.yaml | nvmesh validate -",
            "  nvmesh validate -o junit > report.xml    for GitLab or Jenkins test reports",
            "",
            "Exit codes: 0 valid, 1 problems found, 2 usage error (e.g. a path that does not exist).%n"
        })
final class ValidateCommand implements Callable<Integer> {

    @ParentCommand
    Nvmesh nvmesh;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = "Files or directories to check (default: the current directory); - reads standard input.")
    List<String> paths = List.of(".");

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    ReportFormat format;

    @Override
    public Integer call() throws IOException {
        ValidationReport report = ManifestValidator.create().validate(paths, nvmesh.stdin());
        format.write(report, spec.commandLine().getOut());
        return report.valid() ? ExitCode.OK.code() : ExitCode.PROBLEMS.code();
    }
}
