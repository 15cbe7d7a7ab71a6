package io.nvmesh.service.http;

import java.nio.charset.StandardCharsets;
import java.util.List;

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

    /**
     * Reads a body; a malformed one becomes a 400 problem. So does a literal {@code null}, and a value that a record's
     * compact constructor refuses (a null list, a list holding null): a client's mistake, never a 500.
     */
    static <T> T read(byte[] body, Class<T> type) {
        String what = "the body is not a valid " + type.getSimpleName().replace("Json", "");
        if (body.length == 0) {
            throw ApiException.badRequest("the request needs a JSON body");
        }
        T value;
        try {
            value = MAPPER.readValue(body, type);
        } catch (JacksonException e) {
            throw ApiException.badRequest(what + ": " + refusal(e));
        }
        if (value == null) {
            throw ApiException.badRequest(what + ": it is null");
        }
        return value;
    }

    /** Why binding failed: the record's own words when its constructor refused, else Jackson's, never a class name. */
    private static String refusal(JacksonException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof IllegalArgumentException || c instanceof NullPointerException) {
                return c.getMessage() == null ? "a required value is missing" : c.getMessage();
            }
        }
        return e.getOriginalMessage();
    }

    /** The same list, refused when it or an element is null (a compact constructor's check of a body's list). */
    static <T> List<T> listOf(String field, List<T> list) {
        if (list == null) {
            throw new IllegalArgumentException("`" + field + "` is required");
        }
        for (T element : list) {
            if (element == null) {
                throw new IllegalArgumentException("`" + field + "` holds a null");
            }
        }
        return List.copyOf(list);
    }

    static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }
}
