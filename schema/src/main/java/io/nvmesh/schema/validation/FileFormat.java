package io.nvmesh.schema.validation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * nvmesh's own YAML files that are not manifests, each with a published JSON Schema (draft 2020-12) beside the
 * manifests' ones. {@link CheckedFile} reads them as {@link ManifestValidator} reads manifests: the same YAML rules,
 * the same schema check, the same {@link io.nvmesh.schema.Problem}s with file:line:column.
 */
public enum FileFormat {

    /** {@code nvmesh inventory import FILE}: targets, drives and clients (docs/gitops.md). */
    INVENTORY("Inventory", "inventory", "an inventory", 64 << 20),
    /** {@code nvmesh reconciler --config FILE}: one reconciler instance (docs/reconciler-service.md). */
    RECONCILER_CONFIG("ReconcilerConfig", "reconciler-config", "a reconciler configuration", 1 << 20),
    /** {@code nvmesh agent --config FILE}: the node agent of one host (docs/agent.md). */
    AGENT_CONFIG("AgentConfig", "agent-config", "an agent configuration", 1 << 20),
    /** {@code auth.credentialsFile} of every instance, written by {@code nvmesh token} (docs/security.md). */
    CREDENTIALS("Credentials", "credentials", "credentials", 16 << 20);

    private final String title;
    private final String fileName;
    private final String noun;
    private final int maxBytes;

    FileFormat(String title, String fileName, String noun, int maxBytes) {
        this.title = title;
        this.fileName = fileName;
        this.noun = noun;
        this.maxBytes = maxBytes;
    }

    /** The name {@code nvmesh schema} prints and takes, e.g. {@code ReconcilerConfig}. */
    public String title() {
        return title;
    }

    /** Class-path resource of the schema, e.g. {@code io/nvmesh/schema/v1/inventory.schema.json}. */
    public String resource() {
        return "io/nvmesh/schema/v1/" + fileName + ".schema.json";
    }

    /** The schema's {@code $id}, e.g. {@code https://nvmesh.io/schemas/v1/inventory.schema.json}. */
    public String id() {
        return "https://nvmesh.io/schemas/v1/" + fileName + ".schema.json";
    }

    /** The schema document as published. */
    public String json() {
        try (InputStream in = FileFormat.class.getClassLoader().getResourceAsStream(resource())) {
            if (in == null) {
                throw new IllegalStateException("schema resource missing from the class path: " + resource());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The format of a title, any case ({@code reconcilerconfig}). */
    public static Optional<FileFormat> fromTitle(String title) {
        return Arrays.stream(values()).filter(f -> f.title.toLowerCase(Locale.ROOT)
                .equals(title.toLowerCase(Locale.ROOT))).findFirst();
    }

    /** The words and limit the YAML reader refuses with: "tag !x is not allowed; an inventory holds ...". */
    YamlDocuments.Rules rules() {
        return new YamlDocuments.Rules(noun.replaceFirst("^an? ", "") + " files", noun.replaceFirst("^an? ", "")
                + " file", maxBytes);
    }

    /**
     * Whether an empty file (nothing, or only comments) is a valid one holding nothing: a credentials file is, as it
     * always was (no credentials); the others need their required fields.
     */
    boolean mayBeEmpty() {
        return this == CREDENTIALS;
    }

    /** "a reconciler configuration", for "the file is empty; expected ...". */
    String noun() {
        return noun;
    }
}
