package io.nvmesh.service.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of the audit log. Nothing here may come from a secret: the caller is a credential's name, never its token;
 * the route is the path template ({@code /v1/volumes/{name}/layout}), never the raw path or its query; the detail is
 * the answer's own message.
 *
 * @param time    when it happened (written in ISO-8601, UTC)
 * @param kind    {@link #WRITE}, {@link #AUTH_REFUSED}, {@link #IDENTITY_REFUSED} or {@link #LOCKED_OUT}
 * @param caller  the credential's name, or {@code anonymous} when none was accepted
 * @param role    the credential's role, null for anonymous
 * @param source  the remote {@code ip:port}
 * @param method  the HTTP method, or {@code WS} for something said on an open WebSocket
 * @param route   the route's path template
 * @param status  the HTTP status answered, null for a WebSocket close
 * @param close   the WebSocket close code, null for an HTTP answer
 * @param problem the problem type's slug ({@code unauthorized}, {@code not-your-id} …), null on success
 * @param detail  a short human explanation
 */
public record AuditEntry(Instant time, String kind, String caller, String role, String source, String method,
                         String route, Integer status, Integer close, String problem, String detail) {

    /** An authenticated write or admin call, whatever its outcome. */
    public static final String WRITE = "write";
    /** A credential refused: none, unknown, revoked or expired (401), or a role that does not reach the route (403). */
    public static final String AUTH_REFUSED = "auth-refused";
    /** A valid credential that claimed to be someone else: a peer's 403 not-your-id, an agent's 4403 or 4401. */
    public static final String IDENTITY_REFUSED = "identity-refused";
    /** A source that failed too often: from now on it gets 429 for a while. */
    public static final String LOCKED_OUT = "locked-out";
    /** Lines the writer could not keep up with and dropped (the count is in the detail). */
    public static final String DROPPED = "dropped";

    public AuditEntry {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(caller, "caller");
    }

    /** The JSON line, without its newline; fields that are null are left out. */
    public String toJson() {
        StringBuilder b = new StringBuilder(256).append('{');
        field(b, "time", time.toString());
        field(b, "kind", kind);
        field(b, "caller", caller);
        field(b, "role", role);
        field(b, "source", source);
        field(b, "method", method);
        field(b, "route", route);
        if (status != null) {
            b.append(",\"status\":").append(status.intValue());
        }
        if (close != null) {
            b.append(",\"close\":").append(close.intValue());
        }
        field(b, "problem", problem);
        field(b, "detail", detail);
        return b.append('}').toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        if (value == null) {
            return;
        }
        if (b.length() > 1) {
            b.append(',');
        }
        b.append('"').append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
