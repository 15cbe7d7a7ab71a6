package io.nvmesh.service.http;

import io.nvmesh.core.credentials.Role;
import io.nvmesh.service.audit.AuditEntry;
import io.nvmesh.service.audit.AuditLog;
import io.nvmesh.service.auth.Caller;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;

import org.eclipse.jetty.server.Request;

/**
 * Turns what the HTTP layer sees (a Jetty request, the caller, the route's template, the answer) into
 * {@link AuditEntry} lines. Only the credential's name and role, the route's template and the problem's own message
 * are taken: never a header, a token, a query or a body.
 */
final class AuditTrail {

    static final AuditTrail NONE = new AuditTrail(AuditLog.discarding());

    private final AuditLog log;

    AuditTrail(AuditLog log) {
        this.log = log;
    }

    /** An authenticated write or admin call and how it ended. */
    void write(Request request, String route, Caller caller, int status, String problem, String detail) {
        record(AuditEntry.WRITE, caller, source(request), request.getMethod(), route, status, null, problem, detail);
    }

    /** A credential refused (401 or 403); {@code caller} is null when no credential was recognised. */
    void refused(Request request, String route, Caller caller, ApiException e) {
        record(AuditEntry.AUTH_REFUSED, caller, source(request), request.getMethod(), route, e.status, null, e.type,
                e.getMessage());
    }

    /** A valid credential that spoke as someone else (403 not-your-id). */
    void identityRefused(Request request, String route, Caller caller, ApiException e) {
        record(AuditEntry.IDENTITY_REFUSED, caller, source(request), request.getMethod(), route, e.status, null,
                e.type, e.getMessage());
    }

    /** A source locked out after too many failed authentications. */
    void lockedOut(Request request, String route, String detail) {
        record(AuditEntry.LOCKED_OUT, null, source(request), request.getMethod(), route, 429, null,
                "too-many-failures", detail);
    }

    /** An agent session closed for its identity (4403 hello as another node, 4401 credential revoked). */
    void agentClosed(SocketAddress remote, Caller caller, String route, int code, String reason) {
        record(AuditEntry.IDENTITY_REFUSED, caller, format(remote), "WS", route, null, code,
                code == io.nvmesh.service.agent.AgentProtocol.CLOSE_UNAUTHORIZED ? "revoked" : "not-your-id",
                reason);
    }

    private void record(String kind, Caller caller, String source, String method, String route, Integer status,
                        Integer close, String problem, String detail) {
        boolean anonymous = caller == null || caller == Caller.ANONYMOUS;
        Role role = anonymous ? null : caller.role();
        log.record(new AuditEntry(Instant.now(), kind, anonymous ? "anonymous" : caller.name(),
                role == null ? null : role.word(), source, method, route, status, close, problem, detail));
    }

    static String source(Request request) {
        return format(request.getConnectionMetaData().getRemoteSocketAddress());
    }

    /** {@code ip:port}, an IPv6 address in brackets. */
    static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String ip = inet.getAddress().getHostAddress();
            return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /** The address alone: what limits count by. */
    static String ip(Request request) {
        SocketAddress address = request.getConnectionMetaData().getRemoteSocketAddress();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }
}
