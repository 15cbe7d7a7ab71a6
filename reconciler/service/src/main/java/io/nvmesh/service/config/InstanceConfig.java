package io.nvmesh.service.config;

import io.nvmesh.core.state.SshAccess;
import io.nvmesh.service.cluster.Member;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything one reconciler instance is told at start. See {@link ConfigLoader} for the file format.
 *
 * @param id                this instance's id, unique in the cluster
 * @param listenHost        address to bind; loopback unless configured otherwise
 * @param listenPort        port to bind, 0 for any free port
 * @param advertiseUrl      the URL peers are told to reach this instance at; empty to derive it from the bound address
 * @param peers             the other instances (never this one)
 * @param gitRemote         the Git repository holding desired and recorded state (path or URL), empty: no reconcile
 *                          loop (the instance only serves membership and agents)
 * @param gitBranch         the desired branch, e.g. {@code main}
 * @param gitPollInterval   how often the desired branch is read for a new tip ({@code POST /v1/hooks/git} asks at once)
 * @param dataDir           where this instance keeps its files
 * @param auth              bearer tokens
 * @param heartbeatInterval how often peers are sent a heartbeat
 * @param missedHeartbeats  intervals of silence after which a peer is dead
 * @param ownershipEpsilon  how far above the average number of keys one instance may own (0.25 = 25 %)
 * @param startupGrace      how long a configured peer not heard from since start counts as live; empty: derived from
 *                          the heartbeat settings ({@code ReconcilerNode.startupGrace}); zero: no grace
 * @param maxClockSkew      how far ahead of this instance's clock a peer's epoch or counter stamp may be; anything
 *                          later is refused as forged or from a broken clock
 * @param tls               TLS on the listener and towards peers; empty: plain HTTP (loopback only, unless
 *                          {@code insecure})
 * @param insecure          plain HTTP on a non-loopback address is allowed (an operator's explicit choice)
 * @param audit             where the audit log goes and how much of it is kept
 * @param limits            per-source limits of the HTTP listener
 * @param trustedKeys       OpenPGP public keys (armoured) of whoever may sign desired commits; when given, only
 *                          desired commits signed by these keys (or by keys the branch's {@code
 *                          .nvmesh/trusted-keys.asc} trusted at their parent) are reconciled (docs/security.md)
 * @param allowedSigners    SSH keys (an OpenSSH allowed signers file) of whoever may sign desired commits; as
 *                          {@code trustedKeys}, with the branch's {@code .nvmesh/allowed_signers}; either turns the
 *                          signature requirement on
 * @param gitSsh            for an SSH {@code gitRemote}: the key to log in with and the known_hosts file that holds the
 *                          server's host key (nothing is read from {@code ~/.ssh})
 * @param packInterval      how often the repository is packed ({@code StateStore.pack}); zero: never. A local
 *                          repository is packed by one instance (docs/state-store.md), a URL's mirror by each
 */
public record InstanceConfig(String id, String listenHost, int listenPort, Optional<URI> advertiseUrl,
                             List<Member> peers, String gitRemote, String gitBranch,
                             Duration gitPollInterval, Path dataDir, AuthConfig auth,
                             Duration heartbeatInterval, int missedHeartbeats, double ownershipEpsilon,
                             Optional<Duration> startupGrace, Duration maxClockSkew, Optional<TlsConfig> tls,
                             boolean insecure, AuditConfig audit, LimitsConfig limits,
                             Optional<Path> trustedKeys, Optional<Path> allowedSigners,
                             Optional<SshAccess> gitSsh, Duration packInterval) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7420;
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(500);
    public static final int DEFAULT_MISSED_HEARTBEATS = 3;
    public static final double DEFAULT_OWNERSHIP_EPSILON = 0.25;
    public static final String DEFAULT_BRANCH = "main";
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_PACK_INTERVAL = Duration.ofHours(1);
    public static final Duration MIN_PACK_INTERVAL = Duration.ofMinutes(1);
    public static final Duration MAX_PACK_INTERVAL = Duration.ofDays(7);

    static final Duration MIN_HEARTBEAT_INTERVAL = Duration.ofMillis(10);
    static final Duration MAX_HEARTBEAT_INTERVAL = Duration.ofMinutes(1);
    static final Duration MAX_STARTUP_GRACE = Duration.ofMinutes(10);
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    static final Duration MAX_MAX_CLOCK_SKEW = Duration.ofDays(1);

    public InstanceConfig {
        Member.checkId(id);
        Objects.requireNonNull(listenHost, "listenHost");
        if (listenHost.isBlank()) {
            throw new IllegalArgumentException("listen host must not be empty");
        }
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("listen port must be 0..65535, got " + listenPort);
        }
        Objects.requireNonNull(advertiseUrl, "advertiseUrl");
        advertiseUrl.ifPresent(u -> new Member(id, u));
        peers = List.copyOf(peers);
        Set<String> ids = new HashSet<>();
        for (Member peer : peers) {
            if (peer.id().equals(id)) {
                throw new IllegalArgumentException("peer " + peer.id() + " has this instance's own id");
            }
            if (!ids.add(peer.id())) {
                throw new IllegalArgumentException("peer " + peer.id() + " is listed twice");
            }
        }
        gitRemote = Objects.requireNonNullElse(gitRemote, "");
        gitBranch = Objects.requireNonNullElse(gitBranch, DEFAULT_BRANCH);
        if (gitBranch.isBlank()) {
            throw new IllegalArgumentException("git branch must not be empty");
        }
        Objects.requireNonNull(gitPollInterval, "gitPollInterval");
        if (gitPollInterval.toMillis() < 10 || gitPollInterval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("git poll interval must be between 10ms and 1h, got "
                    + gitPollInterval.toMillis() + "ms");
        }
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(auth, "auth");
        if (!peers.isEmpty() && auth.token().isEmpty()) {
            throw new IllegalArgumentException("auth.token is required when peers are configured");
        }
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        if (heartbeatInterval.compareTo(MIN_HEARTBEAT_INTERVAL) < 0
                || heartbeatInterval.compareTo(MAX_HEARTBEAT_INTERVAL) > 0) {
            throw new IllegalArgumentException("heartbeat interval must be between 10ms and 1m, got "
                    + heartbeatInterval.toMillis() + "ms");
        }
        if (missedHeartbeats < 1 || missedHeartbeats > 100) {
            throw new IllegalArgumentException("missedHeartbeats must be 1..100, got " + missedHeartbeats);
        }
        if (!(ownershipEpsilon > 0 && ownershipEpsilon <= 10)) {
            throw new IllegalArgumentException("ownershipEpsilon must be in (0, 10], got " + ownershipEpsilon);
        }
        Objects.requireNonNull(startupGrace, "startupGrace");
        if (startupGrace.isPresent() && (startupGrace.get().isNegative()
                || startupGrace.get().compareTo(MAX_STARTUP_GRACE) > 0)) {
            throw new IllegalArgumentException("startup grace must be between 0s and 10m, got "
                    + startupGrace.get().toMillis() + "ms");
        }
        if (startupGrace.isPresent() && !startupGrace.get().isZero()
                && startupGrace.get().compareTo(heartbeatInterval.multipliedBy(missedHeartbeats)) < 0) {
            throw new IllegalArgumentException("startup grace must be 0s or at least the dead-after time "
                    + heartbeatInterval.multipliedBy(missedHeartbeats).toMillis() + "ms");
        }
        Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        if (maxClockSkew.compareTo(Duration.ofSeconds(1)) < 0 || maxClockSkew.compareTo(MAX_MAX_CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("max clock skew must be between 1s and 1d, got "
                    + maxClockSkew.toMillis() + "ms");
        }
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(trustedKeys, "trustedKeys");
        Objects.requireNonNull(allowedSigners, "allowedSigners");
        Objects.requireNonNull(gitSsh, "gitSsh");
        Objects.requireNonNull(packInterval, "packInterval");
        if (!packInterval.isZero() && (packInterval.compareTo(MIN_PACK_INTERVAL) < 0
                || packInterval.compareTo(MAX_PACK_INTERVAL) > 0)) {
            throw new IllegalArgumentException("pack interval must be 0 (never) or between 1m and 7d, got "
                    + packInterval.toSeconds() + "s");
        }
    }

    /** True for a loopback address, or a name that resolves to loopback addresses only. */
    public static boolean isLoopback(String host) {
        try {
            java.net.InetAddress[] all = java.net.InetAddress.getAllByName(host);
            for (java.net.InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** A single instance on the loopback default port with default timings, no peers and no tokens. */
    public static InstanceConfig defaults(String id, Path dataDir) {
        return new InstanceConfig(id, DEFAULT_HOST, DEFAULT_PORT, Optional.empty(), List.of(), "", DEFAULT_BRANCH,
                DEFAULT_POLL_INTERVAL, dataDir,
                AuthConfig.none(), DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_MISSED_HEARTBEATS, DEFAULT_OWNERSHIP_EPSILON,
                Optional.empty(), DEFAULT_MAX_CLOCK_SKEW, Optional.empty(), false,
                AuditConfig.in(Objects.requireNonNull(dataDir, "dataDir")), LimitsConfig.DEFAULTS, Optional.empty(),
                Optional.empty(), Optional.empty(), DEFAULT_PACK_INTERVAL);
    }

    public InstanceConfig withListen(String host, int port) {
        return with(c -> {
            c.listenHost = host;
            c.listenPort = port;
        });
    }

    public InstanceConfig withPeers(List<Member> newPeers) {
        return with(c -> c.peers = newPeers);
    }

    public InstanceConfig withAuth(AuthConfig newAuth) {
        return with(c -> c.auth = newAuth);
    }

    public InstanceConfig withHeartbeat(Duration interval, int missed) {
        return with(c -> {
            c.heartbeatInterval = interval;
            c.missedHeartbeats = missed;
        });
    }

    /** A fixed start-up grace instead of the one derived from the heartbeat settings. */
    public InstanceConfig withStartupGrace(Duration grace) {
        return with(c -> c.startupGrace = Optional.of(grace));
    }

    public InstanceConfig withMaxClockSkew(Duration skew) {
        return with(c -> c.maxClockSkew = skew);
    }

    /** The Git repository (path or URL), desired branch and poll interval of the reconcile loop. */
    public InstanceConfig withGit(String remote, String branch, Duration pollInterval) {
        return with(c -> {
            c.gitRemote = remote;
            c.gitBranch = branch;
            c.gitPollInterval = pollInterval;
        });
    }

    public InstanceConfig withAudit(AuditConfig newAudit) {
        return with(c -> c.audit = newAudit);
    }

    public InstanceConfig withLimits(LimitsConfig newLimits) {
        return with(c -> c.limits = newLimits);
    }

    /** Only desired commits signed by these keys (or keys the branch trusts at their parent) are reconciled. */
    public InstanceConfig withTrustedKeys(Path keys) {
        return with(c -> c.trustedKeys = Optional.of(keys));
    }

    /** Only desired commits signed by these SSH keys (or keys the branch allows at their parent) are reconciled. */
    public InstanceConfig withAllowedSigners(Path file) {
        return with(c -> c.allowedSigners = Optional.of(file));
    }

    /** The key and known_hosts file an SSH {@code gitRemote} is reached with. */
    public InstanceConfig withGitSsh(SshAccess access) {
        return with(c -> c.gitSsh = Optional.of(access));
    }

    /** TLS on the listener and towards peers. */
    public InstanceConfig withTls(TlsConfig newTls) {
        return with(c -> c.tls = Optional.of(newTls));
    }

    /** Plain HTTP allowed off loopback. */
    public InstanceConfig withInsecure(boolean allow) {
        return with(c -> c.insecure = allow);
    }

    /** How often the repository is packed; zero: never. */
    public InstanceConfig withPackInterval(Duration every) {
        return with(c -> c.packInterval = every);
    }

    /** A copy of this record with what {@code change} sets on its components; the constructor checks them all. */
    private InstanceConfig with(java.util.function.Consumer<Components> change) {
        Components c = new Components(this);
        change.accept(c);
        return c.build();
    }

    /** The components of a record, to change some of them and build another. */
    private static final class Components {
        String id;
        String listenHost;
        int listenPort;
        Optional<URI> advertiseUrl;
        List<Member> peers;
        String gitRemote;
        String gitBranch;
        Duration gitPollInterval;
        Path dataDir;
        AuthConfig auth;
        Duration heartbeatInterval;
        int missedHeartbeats;
        double ownershipEpsilon;
        Optional<Duration> startupGrace;
        Duration maxClockSkew;
        Optional<TlsConfig> tls;
        boolean insecure;
        AuditConfig audit;
        LimitsConfig limits;
        Optional<Path> trustedKeys;
        Optional<Path> allowedSigners;
        Optional<SshAccess> gitSsh;
        Duration packInterval;

        Components(InstanceConfig r) {
            id = r.id;
            listenHost = r.listenHost;
            listenPort = r.listenPort;
            advertiseUrl = r.advertiseUrl;
            peers = r.peers;
            gitRemote = r.gitRemote;
            gitBranch = r.gitBranch;
            gitPollInterval = r.gitPollInterval;
            dataDir = r.dataDir;
            auth = r.auth;
            heartbeatInterval = r.heartbeatInterval;
            missedHeartbeats = r.missedHeartbeats;
            ownershipEpsilon = r.ownershipEpsilon;
            startupGrace = r.startupGrace;
            maxClockSkew = r.maxClockSkew;
            tls = r.tls;
            insecure = r.insecure;
            audit = r.audit;
            limits = r.limits;
            trustedKeys = r.trustedKeys;
            allowedSigners = r.allowedSigners;
            gitSsh = r.gitSsh;
            packInterval = r.packInterval;
        }

        InstanceConfig build() {
            return new InstanceConfig(id, listenHost, listenPort, advertiseUrl, peers, gitRemote, gitBranch,
                    gitPollInterval, dataDir, auth, heartbeatInterval, missedHeartbeats, ownershipEpsilon, startupGrace,
                    maxClockSkew, tls, insecure, audit, limits, trustedKeys, allowedSigners, gitSsh, packInterval);
        }
    }
}
