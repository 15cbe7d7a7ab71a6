package io.nvmesh.schema.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.schema.Kind;
import io.nvmesh.schema.Protection;
import io.nvmesh.schema.SourceLocation;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ManifestValidatorTest {

    private static final ManifestValidator VALIDATOR = ManifestFixturesTest.VALIDATOR;

    private static ValidationReport validate(String text) {
        return VALIDATOR.validateSources(List.of(new ManifestSource("m.yaml", text.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void fillsInTheDocumentedDefaults() {
        ValidationReport report = validate("""
                apiVersion: nvmesh.io/v1
                kind: VolumePolicy
                metadata: {name: p}
                spec: {layout: striped-erasure-coding}
                ---
                apiVersion: nvmesh.io/v1
                kind: Volume
                metadata: {name: v}
                spec: {policy: p, capacity: max}
                """);

        assertThat(report.problems()).isEmpty();
        VolumePolicy policy = (VolumePolicy) report.manifests().get(0).manifest();
        assertThat(policy).isEqualTo(VolumePolicy.defaults("p", policy.layout()));
        assertThat(policy.protection()).isEqualTo(Protection.FULL);
        assertThat(policy.stripeWidth()).isEqualTo(2);
        assertThat(policy.allowSharedDrives()).as("stripes get drives of their own unless a policy says otherwise")
                .isFalse();
        Volume volume = (Volume) report.manifests().get(1).manifest();
        assertThat(volume.rebuildPriority()).isEqualTo(5);
        assertThat(volume.deletionProtection()).isTrue();
        assertThat(volume.capacity().max()).isTrue();
    }

    @Test
    void readsAStripedPolicysPermissionToShareDrives() {
        ValidationReport report = validate("""
                apiVersion: nvmesh.io/v1
                kind: VolumePolicy
                metadata: {name: p}
                spec: {layout: raid10, stripeWidth: 4, allowSharedDrives: true}
                """);

        assertThat(report.problems()).isEmpty();
        assertThat(((VolumePolicy) report.manifests().get(0).manifest()).allowSharedDrives()).isTrue();
    }

    @Test
    void readsTheDriveSerialsWhoseDataLossAVolumeAccepts() {
        ValidationReport report = validate("""
                apiVersion: nvmesh.io/v1
                kind: VolumePolicy
                metadata: {name: p}
                spec: {layout: concatenated}
                ---
                apiVersion: nvmesh.io/v1
                kind: Volume
                metadata:
                  name: v
                  annotations: {nvmesh.io/accept-data-loss: " S-13, S-12 ,S-13"}
                spec: {policy: p, capacity: 1GiB}
                ---
                apiVersion: nvmesh.io/v1
                kind: Volume
                metadata: {name: w}
                spec: {policy: p, capacity: 1GiB}
                """);

        assertThat(report.problems()).isEmpty();
        assertThat(((Volume) report.manifests().get(1).manifest()).acceptedDataLoss()).containsExactly("S-12", "S-13");
        assertThat(((Volume) report.manifests().get(2).manifest()).acceptedDataLoss()).isEmpty();
    }

    @Test
    void typesPlainScalarsByYaml12SoNorwayStaysAString() {
        ValidationReport report = validate("""
                apiVersion: nvmesh.io/v1
                kind: TargetClass
                metadata: {name: t, labels: {country: NO, enabled: yes}}
                spec:
                  selector: {matchLabels: {zone: on}}
                """);

        assertThat(report.problems()).isEmpty();
        assertThat(report.manifests().get(0).manifest().metadata().labels()).containsEntry("country", "NO");
    }

    @Test
    void locatesEveryFieldOfALoadedManifest() {
        ValidationReport report = validate("""
                apiVersion: nvmesh.io/v1
                kind: VolumePolicy
                metadata:
                  name: p
                spec:
                  layout: raid1
                  targetClasses: []
                  driveClasses:
                    - a
                    - b
                ---
                apiVersion: nvmesh.io/v1
                kind: DriveClass
                metadata: {name: a}
                spec: {selector: {}}
                ---
                apiVersion: nvmesh.io/v1
                kind: DriveClass
                metadata: {name: b}
                spec: {selector: {}}
                """);

        LoadedManifest policy = report.manifests().get(0);
        assertThat(policy.location()).isEqualTo(new SourceLocation("m.yaml", 1, 1));
        assertThat(policy.fields().value("spec.driveClasses[1]")).contains(new SourceLocation("m.yaml", 10, 7));
        assertThat(policy.fields().key("spec.layout")).contains(new SourceLocation("m.yaml", 6, 3));
        assertThat(policy.locate("spec.stripeSize")).isEqualTo(new SourceLocation("m.yaml", 6, 3));
        assertThat(report.manifests().get(2).location().line()).isEqualTo(17);
    }

    @Test
    void locatesFieldsOfEveryDocumentAfterTheTreesAreLetGoEvenWhenALaterDocumentIsBroken() {
        // Each manifest's YAML tree is released once its file is checked and composed again on the first lookup.
        ValidationReport report = validate("""
                apiVersion: nvmesh.io/v1
                kind: DriveClass
                metadata: {name: a}
                spec: {selector: {}}
                ---
                apiVersion: nvmesh.io/v1
                kind: DriveClass
                metadata:
                  name: b
                spec:
                  selector: {}
                ---
                apiVersion: nvmesh.io/v1
                kind: [unclosed
                """);

        assertThat(report.manifests()).hasSize(2);
        assertThat(report.problems()).singleElement().satisfies(p -> assertThat(p.line()).isEqualTo(15));
        LoadedManifest second = report.manifests().get(1);
        assertThat(second.fields().key("metadata.name")).contains(new SourceLocation("m.yaml", 9, 3));
        assertThat(second.locate("spec.selector")).isEqualTo(new SourceLocation("m.yaml", 11, 13));
        assertThat(second.fields().value("spec.selector")).isEqualTo(second.fields().value("spec.selector"));
        assertThat(report.manifests().get(0).fields().value("metadata.name"))
                .contains(new SourceLocation("m.yaml", 3, 18));
    }

    @Test
    void walksDirectoriesSortedSkippingHiddenOnesAndOtherExtensions(@TempDir Path dir) throws IOException {
        String drive = "apiVersion: nvmesh.io/v1\nkind: Drive\nmetadata: {name: %s}\nspec: {serial: %s}\n";
        Files.createDirectories(dir.resolve("b"));
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve("b/z.yml"), drive.formatted("d1", "S1"));
        Files.writeString(dir.resolve("a.yaml"), drive.formatted("d2", "S2"));
        Files.writeString(dir.resolve(".git/config.yaml"), "not: [valid");
        Files.writeString(dir.resolve("notes.txt"), "not yaml");

        ValidationReport report = VALIDATOR.validate(List.of(dir.toString()), InputStream.nullInputStream());

        assertThat(report.files()).containsExactly(dir.resolve("a.yaml").toString(), dir.resolve("b/z.yml").toString());
        assertThat(report.valid()).isTrue();
        assertThat(report.manifests()).extracting(m -> m.manifest().name()).containsExactly("d2", "d1");
    }

    @Test
    void skipsWhatTheIgnoreFileOfAWalkedDirectoryNames(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("ci"));
        Files.writeString(dir.resolve("ci/pipeline.yml"), "stages: [validate]\n");
        Files.writeString(dir.resolve("values.example.yaml"), "replicas: 3\n");
        Files.writeString(dir.resolve(".nvmeshignore"), "# not manifests\nci/\n*.example.yaml\n");

        ValidationReport report = VALIDATOR.validate(List.of(dir.toString()), InputStream.nullInputStream());

        assertThat(report.files()).isEmpty();
        assertThat(report.valid()).isTrue();
    }

    private static final String POLICY = "apiVersion: nvmesh.io/v1\nkind: VolumePolicy\nmetadata:\n  name: %s\n"
            + "spec:\n  layout: concatenated\n";

    @Test
    void aLinkLeadingOutsideTheTreeIsAProblemAtTheLinkAndIsNotRead(@TempDir Path tmp) throws IOException {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.yaml"), "not: [a manifest\n");
        Files.createDirectories(tree.resolve("sub"));
        Files.writeString(tree.resolve("sub/policy.txt"), POLICY.formatted("p1"));
        Files.createSymbolicLink(tree.resolve("inside.yaml"), tree.resolve("sub/policy.txt"));
        Files.createSymbolicLink(tree.resolve("away.yaml"), outside.resolve("secret.yaml"));
        Files.createSymbolicLink(tree.resolve("relative.yaml"), Path.of("../outside/secret.yaml"));
        Files.createSymbolicLink(tree.resolve("elsewhere"), outside);
        Files.createSymbolicLink(tree.resolve("dangling.yaml"), tmp.resolve("nothing.yaml"));

        ValidationReport report = VALIDATOR.validate(List.of(tree.toString()), InputStream.nullInputStream());

        String real = outside.toRealPath().toString();
        String root = tree.toRealPath().toString();
        assertThat(report.problems()).extracting(p -> p.render()).containsExactly(
                tree.resolve("away.yaml") + ": symbolic link to " + real + "/secret.yaml leads outside " + root
                        + "; not read (links in a manifest tree may only point inside it)",
                tree.resolve("elsewhere") + ": symbolic link to " + real + " leads outside " + root
                        + "; not read (links in a manifest tree may only point inside it)",
                tree.resolve("relative.yaml") + ": symbolic link to " + real + "/secret.yaml leads outside " + root
                        + "; not read (links in a manifest tree may only point inside it)");
        // A link inside the tree is followed.
        assertThat(report.manifests()).extracting(m -> m.manifest().name()).containsExactly("p1");
        assertThat(ManifestValidator.findFiles(List.of(tree.toString())).refused()).hasSize(3);
    }

    @Test
    void aTreeGivenAsALinkIsWalkedWhereItLeads(@TempDir Path tmp) throws IOException {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Files.writeString(tree.resolve("p.yaml"), POLICY.formatted("p1"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), tree);

        ValidationReport report = VALIDATOR.validate(List.of(link.toString()), InputStream.nullInputStream());

        assertThat(report.problems()).isEmpty();
        assertThat(report.files()).containsExactly(link.resolve("p.yaml").toString());
    }

    @Test
    void aMissingPathIsAnErrorOfTheCallerNotAProblem() {
        assertThatThrownBy(() -> VALIDATOR.validate(List.of("no/such/dir"), InputStream.nullInputStream()))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("no/such/dir");
    }

    @Test
    void collectsEveryProblemAcrossDocumentsAndFiles() {
        ValidationReport report = VALIDATOR.validateSources(List.of(
                new ManifestSource("a.yaml", """
                        apiVersion: nvmesh.io/v1
                        kind: Volume
                        metadata: {name: v1}
                        spec: {policy: nope, capacity: 1TiB}
                        ---
                        apiVersion: nvmesh.io/v1
                        kind: Volume
                        metadata: {name: v2}
                        spec: {policy: nope, capacity: 1XB}
                        """.getBytes(StandardCharsets.UTF_8)),
                new ManifestSource("b.yaml", "kind: Volume\n".getBytes(StandardCharsets.UTF_8))));

        assertThat(report.problems()).hasSize(5);
        assertThat(report.filesWithProblems()).containsExactly("a.yaml", "b.yaml");
        assertThat(report.problemsIn("b.yaml")).hasSize(3);
    }

    @Test
    void publishesOneSelfContainedSchemaPerKindWithIdenticalDefinitions() {
        JsonMapper mapper = JsonMapper.builder().build();
        JsonNode defs = null;
        for (Kind kind : Kind.values()) {
            JsonNode schema = mapper.readTree(ManifestSchemas.json(kind));
            assertThat(schema.path("$id").asString()).isEqualTo(ManifestSchemas.id(kind));
            assertThat(schema.path("$schema").asString()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
            assertThat(schema.path("properties").path("kind").path("const").asString()).isEqualTo(kind.yamlName());
            if (defs != null) {
                assertThat(schema.path("$defs")).as("$defs of %s", kind).isEqualTo(defs);
            }
            defs = schema.path("$defs");
        }
    }
}
