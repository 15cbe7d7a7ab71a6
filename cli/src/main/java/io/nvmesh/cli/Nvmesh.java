package io.nvmesh.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code nvmesh}: the top command. To add a subcommand, write a class annotated with {@code @Command} and add it
 * to {@code subcommands} below; it can reach standard input through {@code @ParentCommand Nvmesh}.
 */
@Command(name = "nvmesh",
        mixinStandardHelpOptions = true,
        versionProvider = Nvmesh.Version.class,
        description = "Manage an NVMe-over-fabrics block-storage cluster the GitOps way: desired volumes and "
                + "policies are YAML manifests in Git.",
        subcommands = {
            ValidateCommand.class,
            SchemaCommand.class,
            InventoryCommand.class,
            DiffCommand.class,
            ApplyCommand.class,
            ReconcileCommand.class,
            StateCommand.class,
            TokenCommand.class,
            CertsCommand.class,
            FsckCommand.class,
            GcCommand.class,
            GetCommand.class,
            DescribeCommand.class,
            StatusCommand.class,
            WatchCommand.class,
            DemoCommand.class,
            ReconcilerCommand.class,
            SimCommand.class,
            AgentCommand.class,
            VersionCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class,
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  nvmesh validate                    check manifests under the current directory",
            "  nvmesh validate -o github samples  annotate a GitHub pull request",
            "  nvmesh schema Volume               print the JSON Schema of a Volume",
            "  nvmesh inventory import samples/inventory/fleet.yaml",
            "  nvmesh apply samples && nvmesh reconcile --once && nvmesh diff samples && nvmesh fsck",
            "  nvmesh demo                        3 reconcilers and a simulated fleet on this machine",
            "  nvmesh get volumes                 ask a running reconciler (the demo's by default)",
            "  nvmesh watch volume/es-hot-01      its events, live, from any instance",
            "",
            "Exit codes: 0 ok, 1 problems in the input, 2 usage error, 3 internal error.%n"
        })
public final class Nvmesh implements Runnable {

    @Mixin
    GlobalOptions global;

    private final InputStream stdin;

    Nvmesh(InputStream stdin) {
        this.stdin = stdin;
    }

    /** For tools that build the command model from the class: the man pages, generated at build time. */
    private Nvmesh() {
        this(System.in);
    }

    /** Standard input, for commands that read {@code -}. */
    public InputStream stdin() {
        return stdin;
    }

    @Override
    public void run() {
        throw CommandException.usage("a command is required; try 'nvmesh --help'");
    }

    /** Runs {@code nvmesh args} in-process, writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(System.in, out, err, args);
    }

    /** As {@link #run(PrintWriter, PrintWriter, String...)}, with {@code stdin} standing for standard input. */
    public static int run(InputStream stdin, PrintWriter out, PrintWriter err, String... args) {
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            // A library logs through SLF4J without a binding; its start-up warning is noise on a CLI's stderr.
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        return execute(commandLine(stdin, args), out, err, args);
    }

    /**
     * The command model for {@code args}. Building the models of all twenty subcommands is about a tenth of a second of
     * a cold start (reflection over their annotations, picocli's classes, which are too old for the class-data
     * archive); {@code nvmesh validate}, the command CI runs on every push, needs only its own, under a top command
     * with the same name, standard options, version and inherited {@code --stacktrace}. Every other command line
     * (options first, {@code help}, completion, any other subcommand) gets the whole model.
     */
    static CommandLine commandLine(InputStream stdin, String... args) {
        if (args.length > 0 && args[0].equals("validate")) {
            CommandSpec top = CommandSpec.wrapWithoutInspection(new Nvmesh(stdin))
                    .name("nvmesh")
                    .mixinStandardHelpOptions(true)
                    .versionProvider(new Version());
            top.addMixin("global", CommandSpec.forAnnotatedObject(new GlobalOptions()));
            return new CommandLine(top).addSubcommand("validate", new ValidateCommand());
        }
        return new CommandLine(new Nvmesh(stdin));
    }

    /** Runs {@code args} on {@code cli} with nvmesh's streams and failure handling; returns the exit code. */
    static int execute(CommandLine cli, PrintWriter out, PrintWriter err, String... args) {
        Failures failures = new Failures();
        cli.setOut(out)
                .setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(failures)
                .setExitCodeExceptionMapper(failures)
                .setParameterExceptionHandler(failures);
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    public static void main(String... args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(out, err, args));
    }

    /** The version from the jar manifest ({@code Implementation-Version}), or {@code dev} in a build tree. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Nvmesh.class.getPackage().getImplementationVersion();
            return new String[] {"nvmesh " + (version == null ? "dev" : version),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
