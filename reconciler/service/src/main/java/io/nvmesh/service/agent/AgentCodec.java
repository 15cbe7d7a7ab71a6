package io.nvmesh.service.agent;

import java.util.Locale;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns {@link AgentMessage}s into JSON text frames and back. The {@code type} field comes first; enum values are
 * written in lower case and read in any case; unknown fields are ignored, so a newer peer may add fields within a
 * protocol version. Thread-safe.
 */
public final class AgentCodec {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(EnumFeature.WRITE_ENUMS_TO_LOWERCASE)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    private static final Map<String, Class<? extends AgentMessage>> TYPES = Map.of(
            "hello", AgentMessage.Hello.class,
            "welcome", AgentMessage.Welcome.class,
            "redirect", AgentMessage.Redirect.class,
            "report", AgentMessage.Report.class,
            "command", AgentMessage.Command.class,
            "ack", AgentMessage.Ack.class);

    private AgentCodec() {
    }

    public static String encode(AgentMessage message) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("type", typeOf(message));
        node.setAll((ObjectNode) MAPPER.valueToTree(message));
        return MAPPER.writeValueAsString(node);
    }

    /** @throws ProtocolException when the text is not a valid message */
    public static AgentMessage decode(String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw new ProtocolException("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ProtocolException("a message is a JSON object");
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isString()) {
            throw new ProtocolException("a message needs a string field `type`");
        }
        Class<? extends AgentMessage> cls = TYPES.get(type.asString());
        if (cls == null) {
            throw new ProtocolException("unknown message type `" + type.asString() + "`");
        }
        try {
            return MAPPER.treeToValue(node, cls);
        } catch (JacksonException e) {
            // The reason names the field, never the value: that is the sender's, and goes to logs and close reasons.
            String path = pathOf(e);
            String detail = e.getCause() instanceof IllegalArgumentException iae ? iae.getMessage()
                    : e.getCause() instanceof NullPointerException npe ? npe.getMessage() + " is required"
                    : path.isEmpty() ? "not a valid " + type.asString() : "wrong type or value";
            throw new ProtocolException("invalid " + type.asString() + ": " + (path.isEmpty() ? "" : path + ": ")
                    + detail);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("invalid " + type.asString() + ": " + e.getMessage());
        }
    }

    /** Where in the message a problem is, as {@code drives[0].labels}. */
    private static String pathOf(JacksonException e) {
        StringBuilder out = new StringBuilder();
        for (JacksonException.Reference r : e.getPath()) {
            if (r.getPropertyName() != null) {
                // A map key is the sender's text too: only names that could be our fields are shown.
                String name = r.getPropertyName().matches("[A-Za-z0-9_]{1,40}") ? r.getPropertyName() : "?";
                out.append(out.isEmpty() ? "" : ".").append(name);
            } else if (r.getIndex() >= 0) {
                out.append('[').append(r.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    static String typeOf(AgentMessage message) {
        return message.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }
}
