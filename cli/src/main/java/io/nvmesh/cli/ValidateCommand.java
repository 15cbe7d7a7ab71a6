package io.nvmesh.cli;

import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.inventory.InventoryFile;
import io.nvmesh.schema.Problem;
import io.nvmesh.schema.validation.CheckedFile;
import io.nvmesh.schema.validation.FileFormat;
import io.nvmesh.schema.validation.ManifestValidator;
import io.nvmesh.schema.validation.ValidationReport;
import io.nvmesh.core.signature.SignaturePolicy;
import io.nvmesh.core.signature.TrustedKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
            "Directories are searched recursively for *.yaml and *.yml; hidden directories are skipped.",
            "nvmesh's other YAML files are not manifests and are never found by the search: name each with its "
                    + "option (--inventory, --config, --agent-config, --credentials), alone or with manifest paths. "
                    + "They are checked against their JSON Schemas (nvmesh schema Inventory, ReconcilerConfig, "
                    + "AgentConfig, Credentials) and reported in the same format. An inventory also gets the checks "
                    + "of `nvmesh inventory import` (ids and serials listed twice, sizes, labels), a credentials file "
                    + "every check an instance makes before it accepts the file (names, nodes, a name with two roles, "
                    + "a token of two credentials); what a configuration names (files, the repository, peers) is "
                    + "checked on the host that runs it by `nvmesh reconciler --config FILE --check`."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  nvmesh validate                          the current directory",
            "  nvmesh validate policies/ volumes/db.yaml",
            "  git show HEAD:volumes/db.yaml | nvmesh validate -",
            "  nvmesh validate -o junit > report.xml    for GitLab or Jenkins test reports",
            "  nvmesh validate --verify-signatures 1a2b3c4..main --allowed-signers allowed_signers   CI: signed?",
            "  nvmesh validate --inventory fleet.yaml   an inventory only",
            "  nvmesh validate . --config /etc/nvmesh/r1.yaml --agent-config /etc/nvmesh/agent.yaml -o sarif",
            "  nvmesh validate --credentials /etc/nvmesh/credentials.yaml   before copying it to the instances",
            "",
            "Exit codes: 0 valid, 1 problems found, 2 usage error (e.g. a path that does not exist).%n"
        })
final class ValidateCommand implements Callable<Integer> {

    @ParentCommand
    Nvmesh nvmesh;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = "Files or directories to check (default: the current directory, unless only --inventory, "
                    + "--config, --agent-config or --credentials files are named); - reads standard input.")
    List<String> paths = new ArrayList<>();

    @Option(names = "--inventory", paramLabel = "FILE", description = "An inventory file (nvmesh inventory import) "
            + "to check too; repeatable.")
    List<Path> inventories = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE", description = "A reconciler configuration (nvmesh reconciler "
            + "--config) to check too; repeatable.")
    List<Path> configs = new ArrayList<>();

    @Option(names = "--agent-config", paramLabel = "FILE", description = "A node agent's configuration (nvmesh agent "
            + "--config) to check too; repeatable.")
    List<Path> agentConfigs = new ArrayList<>();

    @Option(names = "--credentials", paramLabel = "FILE", description = "A credentials file (nvmesh token, the "
            + "instances' auth.credentialsFile) to check too; repeatable.")
    List<Path> credentials = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    ReportFormat format;

    @Option(names = "--verify-signatures", paramLabel = "A..B", description = "Instead of checking files: check "
            + "that every commit of the desired branch after A up to B (along first parents) is signed by an OpenPGP "
            + "or SSH key trusted at its parent (--trusted-keys and --allowed-signers, plus .nvmesh/trusted-keys.asc "
            + "and .nvmesh/allowed_signers there); one line per bad commit, exit 1.")
    String verifySignatures;

    @Option(names = "--trusted-keys", paramLabel = "FILE",
            description = "OpenPGP public keys trusted for every commit, as the instances' git.trustedKeys.")
    Path trustedKeys;

    @Option(names = "--allowed-signers", paramLabel = "FILE", description = "SSH keys trusted for every commit, an "
            + "OpenSSH allowed signers file, as the instances' git.allowedSigners.")
    Path allowedSigners;

    @Mixin
    RepositoryOptions repository;

    @Override
    public Integer call() throws IOException {
        if (verifySignatures != null) {
            return verifySignatures();
        }
        boolean onlyFiles = paths.isEmpty()
                && !(inventories.isEmpty() && configs.isEmpty() && agentConfigs.isEmpty() && credentials.isEmpty());
        ValidationReport report = ManifestValidator.create().validate(onlyFiles ? List.of()
                : paths.isEmpty() ? List.of(".") : paths, nvmesh.stdin());
        report = withFiles(report);
        format.write(report, spec.commandLine().getOut());
        return report.valid() ? ExitCode.OK.code() : ExitCode.PROBLEMS.code();
    }

    /** The report with the problems of the files named by --inventory, --config, --agent-config and --credentials. */
    private ValidationReport withFiles(ValidationReport report) throws IOException {
        List<Problem> problems = new ArrayList<>(report.problems());
        List<String> files = new ArrayList<>(report.files());
        for (FileFormat f : FileFormat.values()) {
            List<Path> named = switch (f) {
                case INVENTORY -> inventories;
                case RECONCILER_CONFIG -> configs;
                case AGENT_CONFIG -> agentConfigs;
                case CREDENTIALS -> credentials;
            };
            for (Path file : named) {
                if (!Files.exists(file)) {
                    throw new NoSuchFileException(file.toString(), null, "no such file or directory");
                }
                if (Files.isDirectory(file)) {
                    throw CommandException.usage("%s is a directory; --inventory, --config, --agent-config and "
                            + "--credentials each take one file", file);
                }
                byte[] bytes = Files.readAllBytes(file);
                problems.addAll(switch (f) {
                    case INVENTORY -> InventoryFile.parse(file.toString(), bytes).problems();
                    case CREDENTIALS -> CredentialsFile.parse(file.toString(), bytes).problems();
                    default -> CheckedFile.read(f, file.toString(), bytes).problems();
                });
                files.add(file.toString());
            }
        }
        return new ValidationReport(report.manifests(), problems, files);
    }

    private int verifySignatures() {
        int dots = verifySignatures.indexOf("..");
        if (dots < 0) {
            throw CommandException.usage("--verify-signatures takes a range A..B, got %s", verifySignatures);
        }
        TrustedKeys keys;
        try {
            keys = (trustedKeys == null ? TrustedKeys.none() : TrustedKeys.read(trustedKeys))
                    .and(allowedSigners == null ? TrustedKeys.none() : TrustedKeys.readAllowedSigners(allowedSigners));
        } catch (IllegalArgumentException e) {
            throw CommandException.usage("%s", e.getMessage());
        }
        String ref = repository.branch.startsWith("refs/") ? repository.branch : "refs/heads/" + repository.branch;
        try (RepositoryOptions.Opened repo = repository.open()) {
            String from = resolve(repo, ref, verifySignatures.substring(0, dots));
            String to = resolve(repo, ref, verifySignatures.substring(dots + 2));
            List<String> commits = repo.store().firstParents(ref, to, from);
            List<String> bad = SignaturePolicy.required(keys).refusals(repo.store(), ref, commits);
            PrintWriter out = spec.commandLine().getOut();
            bad.forEach(out::println);
            if (bad.isEmpty()) {
                out.println(commits.size() + " commits signed by trusted keys");
            }
            return bad.isEmpty() ? ExitCode.OK.code() : ExitCode.PROBLEMS.code();
        }
    }

    /** A branch name, a full ref or a commit id (at least 7 digits, of the desired branch's history). */
    private static String resolve(RepositoryOptions.Opened repo, String ref, String name) {
        if (name.isEmpty()) {
            return repo.store().resolve(ref);
        }
        String asRef = repo.store().resolve(name.startsWith("refs/") ? name : "refs/heads/" + name);
        if (!asRef.isEmpty()) {
            return asRef;
        }
        for (String c : repo.store().firstParents(ref, repo.store().resolve(ref), "")) {
            if (name.length() >= 7 && c.startsWith(name)) {
                return c;
            }
        }
        throw CommandException.usage("%s is neither a branch nor a commit of %s", name, ref);
    }
}
