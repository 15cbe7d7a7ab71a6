package io.nvmesh.schema.validation;

import io.nvmesh.schema.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The published JSON Schema (draft 2020-12) of each kind. The validator checks documents against exactly these
 * files, so what editors complete and what {@code nvmesh validate} accepts cannot drift apart.
 */
public final class ManifestSchemas {

    private ManifestSchemas() {
    }

    /** Class-path resource of a kind's schema, e.g. {@code io/nvmesh/schema/v1/volume.schema.json}. */
    public static String resource(Kind kind) {
        return "io/nvmesh/schema/v1/" + kind.yamlName().toLowerCase(Locale.ROOT) + ".schema.json";
    }

    /** Made once: asked for every document checked (a string built and hashed per document otherwise). */
    private static final String[] IDS = java.util.Arrays.stream(Kind.values())
            .map(k -> "https://nvmesh.io/schemas/v1/" + k.yamlName().toLowerCase(Locale.ROOT) + ".schema.json")
            .toArray(String[]::new);

    /** The schema's {@code $id}, e.g. {@code https://nvmesh.io/schemas/v1/volume.schema.json}. */
    public static String id(Kind kind) {
        return IDS[kind.ordinal()];
    }

    /** The schema document as published. */
    public static String json(Kind kind) {
        try (InputStream in = ManifestSchemas.class.getClassLoader().getResourceAsStream(resource(kind))) {
            if (in == null) {
                throw new IllegalStateException("schema resource missing from the class path: " + resource(kind));
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
