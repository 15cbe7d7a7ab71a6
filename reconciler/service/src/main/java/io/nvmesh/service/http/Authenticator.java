package io.nvmesh.service.http;

import io.nvmesh.core.credentials.Role;
import io.nvmesh.service.auth.Caller;
import io.nvmesh.service.auth.CredentialSource;
import io.nvmesh.service.config.AuthConfig;
import io.nvmesh.service.metrics.RefusalCounts;

import io.nvmesh.service.config.LimitsConfig;
import io.nvmesh.core.certs.CertificateName;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * Turns a bearer token into the {@link Caller} behind it and decides whether that caller may call a route: 401 when
 * no token was given or it is not one we know (the caller must authenticate), 403 when the caller is known but its role
 * does not reach the route (authenticating again will not help). Tokens are looked up by their SHA-256, so the time
 * taken tells nothing about the tokens we know.
 *
 * <p>Given the request, it also refuses a source locked out for failing too often (429, before the token is even
 * looked at, so a guesser learns nothing more), counts each 401 against its source, and tells the audit trail of
 * every refusal.
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
    private final AuditTrail trail;
    private final AuthFailureLimit failures;

    Authenticator(CredentialSource credentials, RefusalCounts refusals) {
        this(credentials, refusals, AuditTrail.NONE, failureLimit(LimitsConfig.DEFAULTS));
    }

    Authenticator(CredentialSource credentials, RefusalCounts refusals, AuditTrail trail, AuthFailureLimit failures) {
        this.credentials = credentials;
        this.refusals = refusals;
        this.trail = trail;
        this.failures = failures;
    }

    static AuthFailureLimit failureLimit(LimitsConfig limits) {
        return new AuthFailureLimit(limits.authFailures(), limits.authFailureWindow(), limits.authLockout(),
                System::nanoTime);
    }

    AuditTrail trail() {
        return trail;
    }

    RefusalCounts refusals() {
        return refusals;
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

    /** As above, with a client certificate chain the TLS handshake verified (null: none). */
    Caller check(Access access, String authorization, X509Certificate[] certificates) {
        if (access == Access.PUBLIC) {
            return Caller.ANONYMOUS;
        }
        try {
            Caller caller = identify(authorization, certificates);
            authorize(access, caller);
            return caller;
        } catch (ApiException e) {
            refusals.count(RefusalCounts.AUTH, e.type);
            throw e;
        }
    }

    /** The verified certificate chain the client presented on this request's connection; null without one. */
    static X509Certificate[] clientCertificates(Request request) {
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        EndPoint.SslSessionData session = endPoint.getSslSessionData();
        X509Certificate[] certs = session == null ? null : session.peerCertificates();
        return certs == null || certs.length == 0 ? null : certs;
    }

    /**
     * As {@link #check(Access, String)}, for a request to {@code route} (its path template): 429 while its source is
     * locked out; a refusal is audited, and a 401 counts against the source.
     */
    Caller check(Access access, String authorization, Request request, String route) {
        if (access == Access.PUBLIC) {
            return Caller.ANONYMOUS;
        }
        String ip = AuditTrail.ip(request);
        Duration wait = failures.lockedFor(ip);
        if (!wait.isZero()) {
            refusals.count(RefusalCounts.LIMIT, "auth-failures");
            throw tooManyFailures(wait);
        }
        Caller caller = null;
        try {
            caller = identify(authorization, clientCertificates(request));
            authorize(access, caller);
            return caller;
        } catch (ApiException e) {
            refusals.count(RefusalCounts.AUTH, e.type);
            trail.refused(request, route, caller, e);
            if (e.status == 401 && failures.failed(ip)) {
                trail.lockedOut(request, route, "more than " + failures.max() + " failed authentications within "
                        + failures.window().toSeconds() + " s");
            }
            throw e;
        }
    }

    private ApiException tooManyFailures(Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return new ApiException(429, "too-many-failures", "Too many requests", "too many failed authentications "
                + "from this address; try again in " + seconds + " s", Map.of("Retry-After", Long.toString(seconds)));
    }

    /** Who is calling: the certificate's caller, the token's, or both when they agree. */
    private Caller identify(String authorization, X509Certificate[] certificates) {
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
            return byCertificate.get();
        }
        if (noToken) {
            throw new ApiException(401, "unauthorized", "Unauthorized",
                    "this endpoint needs an `Authorization: Bearer <token>` header or a client certificate", CHALLENGE);
        }
        Caller byToken = authenticate(authorization);
        if (byCertificate.isPresent()) {
            Caller c = byCertificate.get();
            if (!c.name().equals(byToken.name()) || c.role() != byToken.role()) {
                throw new ApiException(401, "unauthorized", "Unauthorized", "the bearer token (" + byToken
                        + ") and the client certificate (" + c + ") name different callers", Map.of());
            }
            return c; // the certificate's node list is the narrower one
        }
        return byToken;
    }

    private Caller authenticate(String authorization) {
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

    private void authorize(Access access, Caller caller) {
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
