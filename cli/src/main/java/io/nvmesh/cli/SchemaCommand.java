package io.nvmesh.cli;

import io.nvmesh.schema.Kind;
import io.nvmesh.schema.validation.ManifestSchemas;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh schema}: the published JSON Schema of a kind, for editors and other tools. */
@Command(name = "schema",
        mixinStandardHelpOptions = true,
        description = "Print the JSON Schema (draft 2020-12) of a manifest kind, or list the kinds and their $id.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  nvmesh schema                 list kinds with their $id",
            "  nvmesh schema VolumePolicy    print one schema",
            "  nvmesh schema --all           print every schema, one JSON object keyed by $id%n"
        })
final class SchemaCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "KIND", arity = "0..1", description = "A kind: VolumePolicy, Volume, DriveClass, "
            + "TargetClass or Drive (any case).")
    String kind;

    @Option(names = "--all", description = "Print every schema.")
    boolean all;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        if (kind != null) {
            out.print(ManifestSchemas.json(kind(kind)));
        } else if (all) {
            out.println("{");
            Kind[] kinds = Kind.values();
            for (int i = 0; i < kinds.length; i++) {
                String body = ManifestSchemas.json(kinds[i]).strip().replace("\n", "\n  ");
                out.println("  \"" + ManifestSchemas.id(kinds[i]) + "\": " + body + (i + 1 < kinds.length ? "," : ""));
            }
            out.println("}");
        } else {
            for (Kind k : Kind.values()) {
                out.printf("%-13s %s%n", k.yamlName(), ManifestSchemas.id(k));
            }
        }
    }

    private static Kind kind(String name) {
        return Arrays.stream(Kind.values())
                .filter(k -> k.yamlName().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
                .findFirst()
                .orElseThrow(() -> CommandException.usage("unknown kind \"%s\" (known: %s)", name,
                        Arrays.stream(Kind.values()).map(Kind::yamlName).collect(Collectors.joining(", "))));
    }
}
