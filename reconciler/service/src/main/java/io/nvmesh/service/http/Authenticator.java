package io.nvmesh.service.http;

import io.nvmesh.core.credentials.Role;
import io.nvmesh.service.auth.Caller;
import io.nvmesh.service.auth.CredentialSource;
import io.nvmesh.service.config.AuthConfig;
import io.nvmesh.service.metrics.RefusalCounts;

import io.nvmesh.core.certs.CertificateName;

import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;

import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * Turns a verified client certificate or a bearer token into the {@link Caller} behind it and decides whether that caller may call a route: 401 when
 * no token was given or it is not one we know (the caller must authenticate), 403 when the caller is known but its role
 * does not reach the route (authenticating again will not help). Tokens are looked up by their SHA-256, so the time
 * taken tells nothing about the tokens we know.
 *
 * <p>A client certificate has been verified against {@code tls.clientCa} by the TLS handshake (chain, validity);
 * here it only names the caller ({@link CertificateName}), who must still hold a credential in the credentials file:
 * removing the credential revokes the certificate too. With a certificate and a bearer token both, they must name the
 * same caller (docs/security.md).
 */
final class Authenticator {

    private static final Map<String, String> CHALLENGE = Map.of("WWW-Authenticate", "Bearer realm=\"nvmesh\"");
    private static final Map<String, String> INVALID = Map.of("WWW-Authenticate",
            "Bearer realm=\"nvmesh\", error=\"invalid_token\"");

    private final CredentialSource credentials;
    private final RefusalCounts refusals;

    Authenticator(CredentialSource credentials, RefusalCounts refusals) {
        this.credentials = credentials;
        this.refusals = refusals;
    }

    /** For tests and tools that have only a configuration. */
    Authenticator(AuthConfig auth) {
        this(CredentialSource.load(auth), new RefusalCounts());
    }

    CredentialSource credentials() {
        return credentials;
    }

    /** The caller, when allowed; throws the 401 or 403 problem otherwise. Public routes give {@link Caller#ANONYMOUS}. */
    Caller check(Access access, String authorization) {
        return check(access, authorization, (X509Certificate[]) null);
    }

    /** As above, with the client certificate of the request's TLS connection, if it presented one. */
    Caller check(Access access, String authorization, Request request) {
        return check(access, authorization, clientCertificates(request));
    }

    /** The verified certificate chain the client presented on this request's connection; null without one. */
    static X509Certificate[] clientCertificates(Request request) {
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        EndPoint.SslSessionData session = endPoint.getSslSessionData();
        X509Certificate[] certs = session == null ? null : session.peerCertificates();
        return certs == null || certs.length == 0 ? null : certs;
    }

    Caller check(Access access, String authorization, X509Certificate[] certificates) {
        if (access == Access.PUBLIC) {
            return Caller.ANONYMOUS;
        }
        try {
            return checkCaller(access, authorization, certificates);
        } catch (ApiException e) {
            refusals.count(RefusalCounts.AUTH, e.type);
            throw e;
        }
    }

    private Caller checkCaller(Access access, String authorization, X509Certificate[] certificates) {
        Optional<Caller> byCertificate = Optional.empty();
        if (certificates != null) {
            Optional<CertificateName> named = CertificateName.of(certificates[0]);
            if (named.isPresent()) {
                byCertificate = credentials.authenticate(named.get());
                if (byCertificate.isEmpty()) {
                    throw new ApiException(401, "unauthorized", "Unauthorized", "the client certificate names "
                            + named.get().role().word() + " " + named.get().name() + ", who holds no credential here "
                            + "(revoked, expired or never created)", Map.of());
                }
            }
        }
        boolean noToken = authorization == null || authorization.isBlank();
        if (noToken && byCertificate.isPresent()) {
            return allowed(access, byCertificate.get());
        }
        if (noToken) {
            throw new ApiException(401, "unauthorized", "Unauthorized",
                    "this endpoint needs an `Authorization: Bearer <token>` header or a client certificate", CHALLENGE);
        }
        Caller byToken = checkToken(authorization);
        if (byCertificate.isPresent()) {
            Caller c = byCertificate.get();
            if (!c.name().equals(byToken.name()) || c.role() != byToken.role()) {
                throw new ApiException(401, "unauthorized", "Unauthorized", "the bearer token (" + byToken
                        + ") and the client certificate (" + c + ") name different callers", Map.of());
            }
            return allowed(access, c); // the certificate's node list is the narrower one
        }
        return allowed(access, byToken);
    }

    private Caller checkToken(String authorization) {
        String[] parts = authorization.trim().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
            throw new ApiException(401, "unauthorized", "Unauthorized",
                    "only bearer tokens are accepted (`Authorization: Bearer <token>`)", CHALLENGE);
        }
        Optional<Caller> found = credentials.authenticate(parts[1]);
        if (found.isEmpty()) {
            throw new ApiException(401, "unauthorized", "Unauthorized",
                    "the bearer token is not valid (unknown, revoked or expired)", INVALID);
        }
        return found.get();
    }

    private Caller allowed(Access access, Caller caller) {
        Role role = caller.role();
        boolean allowed = switch (access) {
            case READ -> role == Role.READ || role == Role.ADMIN;
            case WRITE -> role == Role.ADMIN;
            case PEER -> role == Role.INSTANCE;
            case AGENT -> role == Role.AGENT;
            case PUBLIC -> true;
        };
        if (!allowed) {
            throw new ApiException(403, "forbidden", "Forbidden", "a " + role.word()
                    + " credential may not " + describe(access), Map.of());
        }
        return caller;
    }

    private static String describe(Access access) {
        return switch (access) {
            case READ -> "read this (a read or admin credential is needed)";
            case WRITE -> "change this (an admin credential is needed)";
            case PEER -> "call peer endpoints (an instance credential is needed)";
            case AGENT -> "call agent endpoints (an agent credential is needed)";
            case PUBLIC -> "do this";
        };
    }
}
