package io.nvmesh.schema.validation;

import io.nvmesh.schema.InvalidManifestException;
import io.nvmesh.schema.Kind;
import io.nvmesh.schema.Manifest;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Problem;
import io.nvmesh.schema.SourceLocation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import tools.jackson.databind.JsonNode;

/**
 * Everything that can be checked within one file: text, YAML, each document's schema and record invariants. A
 * document with a structural problem is not bound to a record, so one mistake is reported once.
 */
final class FileCheck {

    /** What one file contributed. */
    record Result(List<LoadedManifest> manifests, List<Problem> problems) {
    }

    private static final List<String> KINDS = Arrays.stream(Kind.values()).map(Kind::yamlName).toList();

    private final SchemaCheck schemas;

    FileCheck(SchemaCheck schemas) {
        this.schemas = schemas;
    }

    Result check(String file, byte[] bytes) {
        SourceText.Decoded decoded = SourceText.decode(file, bytes);
        if (decoded.problem() != null) {
            return new Result(List.of(), List.of(decoded.problem()));
        }
        YamlDocuments.Composed composed = YamlDocuments.compose(file, decoded.text());
        List<LoadedManifest> manifests = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        List<Node> documents = composed.documents();
        boolean onlyOneEmpty = documents.size() == 1 && composed.problem() == null && isEmpty(documents.get(0));
        if (!onlyOneEmpty) {
            for (int i = 0; i < documents.size(); i++) {
                document(file, decoded.text(), i, documents.get(i), manifests, problems);
            }
        }
        manifests.forEach(m -> m.fields().release());
        if (composed.problem() != null) {
            problems.add(composed.problem());
        }
        return new Result(manifests, problems);
    }

    private void document(String file, String text, int index, Node root, List<LoadedManifest> manifests,
            List<Problem> problems) {
        FieldLocations locations = new FieldLocations(file, text, index, root);
        SourceLocation start = locations.document();
        if (isEmpty(root)) {
            problems.add(problem(start, "", "", "empty document (remove the extra '---')"));
            return;
        }
        if (!(root instanceof MappingNode)) {
            problems.add(problem(start, "", "", "a manifest must be a mapping with apiVersion, kind, metadata and "
                    + "spec, not a " + TreeConverter.describe(root)));
            return;
        }
        JsonNode tree = TreeConverter.convert(root, file, () -> objectOf(root), problems);
        if (tree == null) {
            return;
        }
        JsonNode kindNode = tree.path("kind");
        Kind kind = kindNode.isString() ? Kind.fromYaml(kindNode.asString()).orElse(null) : null;
        if (kind == null) {
            FieldPath at = FieldPath.ROOT.key("kind");
            String known = " (known: " + String.join(", ", KINDS) + ")";
            String hint = kindNode.isString() ? Suggestions.hint(kindNode.asString(), KINDS) : "";
            String message = kindNode.isMissingNode() ? "missing required field \"kind\"" + known
                    : SchemaCheck.display(kindNode) + " is not a kind" + (hint.isEmpty() ? known : hint);
            problems.add(located(locations, "", kindNode.isMissingNode() ? Finding.at(FieldPath.ROOT, message)
                    : Finding.at(at, message)));
            return;
        }
        List<Finding> structural = schemas.check(kind, tree);
        if (!structural.isEmpty()) {
            String object = objectOf(kind, tree);
            structural.forEach(f -> problems.add(located(locations, object, f)));
            return;
        }
        try {
            Manifest manifest = ManifestBinder.bind(kind, tree);
            manifests.add(new LoadedManifest(manifest, start, locations));
        } catch (InvalidManifestException e) {
            problems.add(located(locations, objectOf(kind, tree), Finding.at(FieldPath.parse(e.path()), e.reason())));
        } catch (RuntimeException e) {
            problems.add(problem(start, objectOf(kind, tree), "", "cannot be read: " + e.getMessage()));
        }
    }

    private static boolean isEmpty(Node node) {
        return node instanceof ScalarNode s && s.getValue().isEmpty() && s.getScalarStyle()
                == org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN;
    }

    private static String objectOf(Kind kind, JsonNode tree) {
        JsonNode name = tree.path("metadata").path("name");
        return name.isString() && Metadata.NAME.matcher(name.asString()).matches()
                ? kind.yamlName() + " " + name.asString() : "";
    }

    /** {@code Kind name} read straight from the YAML, for problems found before the document is a tree. */
    private static String objectOf(Node root) {
        String kind = null;
        String name = null;
        for (NodeTuple t : ((MappingNode) root).getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k) {
                if (k.getValue().equals("kind") && t.getValueNode() instanceof ScalarNode v) {
                    kind = Kind.fromYaml(v.getValue()).map(Kind::yamlName).orElse(null);
                } else if (k.getValue().equals("metadata") && t.getValueNode() instanceof MappingNode m) {
                    for (NodeTuple mt : m.getValue()) {
                        if (mt.getKeyNode() instanceof ScalarNode mk && mk.getValue().equals("name")
                                && mt.getValueNode() instanceof ScalarNode mv) {
                            name = mv.getValue();
                        }
                    }
                }
            }
        }
        return kind != null && name != null && Metadata.NAME.matcher(name).matches() ? kind + " " + name : "";
    }

    private static Problem located(FieldLocations locations, String object, Finding f) {
        SourceLocation at = locations.nearest(f.at(), f.key());
        return new Problem(at.file(), at.line(), at.column(), object, f.shown().dotted(), f.message());
    }

    private static Problem problem(SourceLocation at, String object, String path, String message) {
        return new Problem(at.file(), at.line(), at.column(), object, path, message);
    }
}
