package io.nvmesh.service.http;

import java.nio.charset.StandardCharsets;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The one JSON mapper of the service's wire formats. */
final class Json {

    /**
     * Unknown fields are ignored so that an older instance still understands a newer peer's heartbeat; missing
     * primitives are errors rather than silent zeros.
     */
    static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private Json() {
    }

    static byte[] write(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    /** Reads a body; a malformed one becomes a 400 problem. */
    static <T> T read(byte[] body, Class<T> type) {
        if (body.length == 0) {
            throw ApiException.badRequest("the request needs a JSON body");
        }
        try {
            return MAPPER.readValue(body, type);
        } catch (JacksonException e) {
            throw ApiException.badRequest("the body is not a valid " + type.getSimpleName().replace("Json", "")
                    + ": " + e.getOriginalMessage());
        }
    }

    static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }
}
