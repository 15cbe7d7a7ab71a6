package io.nvmesh.service.agent;

import java.util.Locale;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns {@link AgentMessage}s into JSON text frames and back. The {@code type} field comes first; enum values are
 * written in lower case and read in any case; unknown fields are ignored, so a newer peer may add fields within a
 * protocol version. Thread-safe.
 */
public final class AgentCodec {

    /** Duplicate keys are refused: which of two {@code type}s (or {@code seq}s) counts would be the reader's choice. */
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
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
        // The record written directly, its type put in front: the same text as through a tree, at half the work
        // (a simulated fleet encodes every report of thousands of agents).
        String fields = MAPPER.writeValueAsString(message);
        String type = "{\"type\":\"" + typeOf(message) + "\"";
        return fields.length() <= 2 ? type + "}" : type + "," + fields.substring(1);
    }

    /** @throws ProtocolException when the text is not a valid message */
    public static AgentMessage decode(String text) {
        AgentMessage fast = decodeTypeFirst(text);
        return fast != null ? fast : decodeTree(text);
    }

    /**
     * One pass, no tree: what every message we write looks like ({@code type} first). Each report of every agent
     * comes through here, so the tree that {@link #decodeTree} builds first was most of a report's cost. Null when
     * the text is anything else or does not decode: the tree path then decides, and its errors are the ones the
     * sender hears. The records validate themselves either way. One difference: a number where text belongs (a
     * label value) is taken as written, where the tree rounded it through a double ({@code 1e400} became {@code
     * Infinity}); the label rules judge the text either way.
     */
    private static AgentMessage decodeTypeFirst(String text) {
        try (JsonParser p = MAPPER.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT || !"type".equals(p.nextName())
                    || p.nextToken() != JsonToken.VALUE_STRING) {
                return null;
            }
            Class<? extends AgentMessage> cls = TYPES.get(p.getString());
            if (cls == null) {
                return null;
            }
            p.nextToken(); // the next field's name, or the end of an object that had only its type
            AgentMessage m = MAPPER.readValue(p, cls);
            return p.nextToken() == null ? m : null;
        } catch (JacksonException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The general path: any field order; its errors are what a sender hears. Package-private for tests. */
    static AgentMessage decodeTree(String text) {
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
