package io.nvmesh.cli;

import io.nvmesh.schema.Kind;
import io.nvmesh.schema.validation.FileFormat;
import io.nvmesh.schema.validation.ManifestSchemas;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code nvmesh schema}: the published JSON Schema of a kind, or of one of nvmesh's other YAML files (inventory,
 * reconciler and agent configurations, credentials), for editors and other tools.
 */
@Command(name = "schema",
        mixinStandardHelpOptions = true,
        description = {"Print the JSON Schema (draft 2020-12) of a manifest kind or of another nvmesh file, or list "
                + "them with their $id.",
            "Besides the manifest kinds: Inventory (nvmesh inventory import), ReconcilerConfig (nvmesh reconciler "
                + "--config), AgentConfig (nvmesh agent --config) and Credentials (nvmesh token, "
                + "auth.credentialsFile); nvmesh validate --inventory, --config, --agent-config and --credentials "
                + "check files against them."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  nvmesh schema                 list kinds and files with their $id",
            "  nvmesh schema VolumePolicy    print one schema",
            "  nvmesh schema ReconcilerConfig > reconciler-config.schema.json   for an editor's YAML support",
            "  nvmesh schema --all           print every schema, one JSON object keyed by $id%n"
        })
final class SchemaCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "KIND", arity = "0..1", description = "A kind: VolumePolicy, Volume, DriveClass, "
            + "TargetClass or Drive; or a file: Inventory, ReconcilerConfig, AgentConfig or Credentials (any case).")
    String kind;

    @Option(names = "--all", description = "Print every schema.")
    boolean all;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Schema> schemas = schemas();
        if (kind != null) {
            Schema schema = schemas.get(kind.toLowerCase(Locale.ROOT));
            if (schema == null) {
                List<String> names = new ArrayList<>();
                schemas.values().forEach(s -> names.add(s.name()));
                throw CommandException.usage("unknown kind \"%s\" (known: %s)", kind, String.join(", ", names));
            }
            out.print(schema.json());
        } else if (all) {
            out.println("{");
            int i = 0;
            for (Schema s : schemas.values()) {
                String body = s.json().strip().replace("\n", "\n  ");
                out.println("  \"" + s.id() + "\": " + body + (++i < schemas.size() ? "," : ""));
            }
            out.println("}");
        } else {
            schemas.values().forEach(s -> out.printf("%-16s %s%n", s.name(), s.id()));
        }
    }

    /** A published schema: the name to ask for, its $id and its text. */
    private record Schema(String name, String id, String json) {
    }

    /** The manifest kinds, then the other files; keyed by lower-case name. */
    private static Map<String, Schema> schemas() {
        Map<String, Schema> out = new LinkedHashMap<>();
        for (Kind k : Kind.values()) {
            out.put(k.yamlName().toLowerCase(Locale.ROOT), new Schema(k.yamlName(), ManifestSchemas.id(k),
                    ManifestSchemas.json(k)));
        }
        for (FileFormat f : FileFormat.values()) {
            out.put(f.title().toLowerCase(Locale.ROOT), new Schema(f.title(), f.id(), f.json()));
        }
        return out;
    }
}
