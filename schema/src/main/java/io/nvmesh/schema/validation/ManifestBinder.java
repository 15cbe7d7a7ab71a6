package io.nvmesh.schema.validation;

import io.nvmesh.schema.Capacity;
import io.nvmesh.schema.DriveClass;
import io.nvmesh.schema.DriveIntent;
import io.nvmesh.schema.InvalidManifestException;
import io.nvmesh.schema.Kind;
import io.nvmesh.schema.LabelSelector;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Manifest;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Protection;
import io.nvmesh.schema.Size;
import io.nvmesh.schema.TargetClass;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Builds the record of a document that passed its schema and fills in the defaults the schema documents. The
 * records check what a schema cannot say (parity below data, sizes on 1 MiB); they throw
 * {@link InvalidManifestException} with the field's path, which the caller turns into a located problem.
 */
final class ManifestBinder {

    /** Default {@code spec.rebuildPriority}: the middle of 0..10, so both "sooner" and "later" can be said. */
    static final int DEFAULT_REBUILD_PRIORITY = 5;

    private ManifestBinder() {
    }

    static Manifest bind(Kind kind, JsonNode doc) {
        Metadata metadata = metadata(doc.path("metadata"));
        JsonNode spec = doc.path("spec");
        return switch (kind) {
            case VOLUME_POLICY -> policy(metadata, spec);
            case VOLUME -> new Volume(metadata, spec.path("policy").asString(),
                    capacity(spec.path("capacity")),
                    strings(spec.path("clients")),
                    spec.path("rebuildPriority").asInt(DEFAULT_REBUILD_PRIORITY),
                    spec.path("deletionProtection").asBoolean(true));
            case DRIVE_CLASS -> new DriveClass(metadata, selector(spec.path("selector")), strings(spec.path("domains")));
            case TARGET_CLASS -> new TargetClass(metadata, selector(spec.path("selector")), strings(spec.path("domains")));
            case DRIVE -> new DriveIntent(metadata, spec.path("serial").asString(),
                    spec.path("cordon").asBoolean(false), spec.path("evacuate").asBoolean(false));
        };
    }

    private static VolumePolicy policy(Metadata metadata, JsonNode spec) {
        Layout layout = Layout.fromYaml(spec.path("layout").asString())
                .orElseThrow(() -> new InvalidManifestException("spec.layout", "unknown layout"));
        Size stripe = spec.has("stripeSize") ? stripeSize(spec.path("stripeSize")) : VolumePolicy.DEFAULT_STRIPE_SIZE;
        String scope = spec.path("domainScope").asString(null);
        return new VolumePolicy(metadata, layout,
                spec.path("stripeWidth").asInt(layout.striped() ? VolumePolicy.DEFAULT_STRIPE_WIDTH : 1),
                stripe,
                spec.path("mirrors").asInt(layout.mirrored() ? 1 : 0),
                spec.path("dataBlocks").asInt(layout.erasureCoded() ? VolumePolicy.DEFAULT_DATA_BLOCKS : 0),
                spec.path("parityBlocks").asInt(layout.erasureCoded() ? VolumePolicy.DEFAULT_PARITY_BLOCKS : 0),
                Protection.fromYaml(spec.path("protection").asString("full")).orElse(Protection.FULL),
                scope, strings(spec.path("driveClasses")), strings(spec.path("targetClasses")),
                spec.path("thin").asBoolean(false), spec.path("allowSharedDrives").asBoolean(false));
    }

    private static Capacity capacity(JsonNode value) {
        try {
            return Capacity.parse(value.asString());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InvalidManifestException("spec.capacity", e.getMessage());
        }
    }

    private static Size stripeSize(JsonNode value) {
        try {
            return Size.parse(value.asString(), VolumePolicy.STRIPE_SIZE_EXAMPLES);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InvalidManifestException("spec.stripeSize", e.getMessage());
        }
    }

    private static Metadata metadata(JsonNode node) {
        try {
            return new Metadata(node.path("name").asString(), stringMap(node.path("labels")),
                    stringMap(node.path("annotations")));
        } catch (InvalidManifestException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            throw new InvalidManifestException("metadata.name", m.startsWith("metadata.name: ") ? m.substring(15) : m);
        }
    }

    private static LabelSelector selector(JsonNode node) {
        List<LabelSelector.Requirement> requirements = new ArrayList<>();
        JsonNode expressions = node.path("matchExpressions");
        for (int i = 0; i < expressions.size(); i++) {
            JsonNode e = expressions.path(i);
            try {
                requirements.add(new LabelSelector.Requirement(e.path("key").asString(),
                        LabelSelector.Operator.valueOf(e.path("operator").asString()), strings(e.path("values"))));
            } catch (IllegalArgumentException ex) {
                throw new InvalidManifestException("spec.selector.matchExpressions[" + i + "]", ex.getMessage());
            }
        }
        return new LabelSelector(stringMap(node.path("matchLabels")), requirements);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>(array.size());
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    private static Map<String, String> stringMap(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asString()));
        return out;
    }
}
