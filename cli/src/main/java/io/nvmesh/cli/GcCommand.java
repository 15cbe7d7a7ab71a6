package io.nvmesh.cli;

import static io.nvmesh.cli.Phrases.bytes;

import io.nvmesh.core.state.PackReport;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.node.ObjectNode;

/** {@code nvmesh gc}: packs the repository by hand, as reconcilers do on a schedule. */
@Command(name = "gc",
        mixinStandardHelpOptions = true,
        description = {
            "Pack the desired/state repository: every object reachable from a ref or a reflog goes into a pack, "
                    + "loose copies are removed. Many small state commits leave many loose objects, and reads "
                    + "(a reconcile pass, fsck, diff) slow down until they are packed (docs/BENCHMARKS.md).",
            "Safe while reconcilers write: refs are not touched, reflogs are kept (fsck restores from them), "
                    + "objects no ref reaches yet are kept two weeks, and one run at a time holds the repository "
                    + "(a second one says busy and does nothing). Refused while a state ref is lost or unreadable: "
                    + "restore it first (nvmesh fsck says how).",
            "Reconcilers run this on their own every git.packInterval (docs/state-store.md). For a URL "
                    + "repository it packs this machine's mirror of it; the server packs its own (git gc there)."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  nvmesh gc",
            "  nvmesh gc --repo /srv/nvmesh/desired.git",
            "  nvmesh gc -o json | jq '.after.looseObjects'",
            "",
            "Exit codes: 0 packed, or another run was packing it (nothing done); 1 refused (the reason is said, "
                    + "nothing changed); 2 usage error.%n"
        })
final class GcCommand implements Callable<Integer> {

    enum Format { text, json }

    @Spec
    CommandSpec spec;

    @Mixin
    RepositoryOptions repository;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (RepositoryOptions.Opened repo = repository.open()) {
            PackReport r = repo.store().pack();
            String where = repo.choice().url() ? "this machine's mirror of " + repo.choice().location()
                    : repo.choice().location();
            if (format == Format.json) {
                json(r, repo.choice().location(), repo.choice().url(), out);
            } else {
                text(r, where, out);
            }
            return r.outcome() == PackReport.Outcome.REFUSED ? ExitCode.PROBLEMS.code() : ExitCode.OK.code();
        }
    }

    private static void text(PackReport r, String where, PrintWriter out) {
        switch (r.outcome()) {
            case PACKED -> {
                out.printf(Locale.ROOT, "packed %s in %.1f s%n", where, r.took().toMillis() / 1000.0);
                out.println("  before: " + describe(r.before()));
                out.println("  after:  " + describe(r.after()));
            }
            case BUSY -> out.println("nothing done: " + r.reason());
            case REFUSED -> out.println("refused: " + r.reason());
        }
    }

    static String describe(PackReport.Counts c) {
        return String.format(Locale.ROOT, "%,d loose objects (%s), %,d packed in %d pack%s (%s)", c.looseObjects(),
                bytes(c.looseBytes()), c.packedObjects(), c.packs(), c.packs() == 1 ? "" : "s",
                bytes(c.packBytes()));
    }

    private static void json(PackReport r, String repository, boolean url, PrintWriter out) {
        ObjectNode root = JsonReport.JSON.createObjectNode();
        root.put("formatVersion", 1);
        root.put("repository", repository);
        root.put("mirror", url);
        root.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
        root.put("reason", r.reason());
        counts(root.putObject("before"), r.before());
        counts(root.putObject("after"), r.after());
        root.put("seconds", r.took().toMillis() / 1000.0);
        out.println(JsonReport.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    private static void counts(ObjectNode n, PackReport.Counts c) {
        n.put("looseObjects", c.looseObjects()).put("looseBytes", c.looseBytes())
                .put("packedObjects", c.packedObjects()).put("packs", c.packs()).put("packBytes", c.packBytes())
                .put("bytes", c.bytes());
    }
}
