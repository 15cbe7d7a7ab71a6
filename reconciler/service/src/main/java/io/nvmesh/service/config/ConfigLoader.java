package io.nvmesh.service.config;

import io.nvmesh.core.state.SshAccess;
import io.nvmesh.schema.Problem;
import io.nvmesh.schema.validation.CheckedFile;
import io.nvmesh.schema.validation.CheckedFile.Field;
import io.nvmesh.schema.validation.FileFormat;
import io.nvmesh.service.cluster.Member;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an instance configuration file. The format, with every default spelled out:
 *
 * <pre>{@code
 * id: r1                          # required; 1-63 of [a-z0-9._-]
 * listen: 127.0.0.1:7420          # host:port, [v6]:port, or a port alone (loopback); port 0 = any free port
 * advertiseUrl: http://10.0.0.5:7420   # optional; default http://<listen>, required when listening on 0.0.0.0 or ::
 * dataDir: data/r1                # relative paths are relative to the file's folder
 * git:
 *   remote: /srv/nvmesh/state.git # a path or a URL; empty or absent: no reconcile loop
 *   branch: main                  # the desired branch
 *   pollInterval: 2s              # how often the desired branch is read (POST /v1/hooks/git: at once)
 *   trustedKeys: signers.asc      # optional: reconcile only desired commits signed by these OpenPGP keys (or keys
 *                                 # the branch's .nvmesh/trusted-keys.asc trusted at their parent)
 *   allowedSigners: allowed_signers  # optional: the same with SSH keys, an OpenSSH allowed signers file (and the
 *                                 # branch's .nvmesh/allowed_signers)
 *   ssh:                          # required for an ssh:// (or user@host:path) remote; ~/.ssh is never read
 *     identity: r1_ed25519        # private key to log in with (no passphrase, mode 0600)
 *     knownHosts: known_hosts     # must hold the server's host key; an unknown or changed key is refused
 *   packInterval: 60m             # how often the repository is packed (1m..10080m; 0 or off: never); a local one
 *                                 # by one instance at a time, a URL's mirror by each (docs/state-store.md)
 * peers:                          # the other instances
 *   - id: r2
 *     url: http://10.0.0.6:7420
 * auth:                           # who may call (docs/security.md)
 *   credentialsFile: credentials.yaml  # people, instances, agents: token hashes, reloaded when changed;
 *                                 # required when there are peers
 *   tokenFile: r1.token           # this instance's own token (or `token: ...`); required when there are peers
 *   adminTokens: [ ... ]          # optional tokens in clear, at least 16 characters: read and write
 *   readTokens: [ ... ]           # read only
 * cluster:
 *   heartbeatInterval: 500ms      # ms, s or m; 10ms..1m
 *   missedHeartbeats: 3           # silent intervals before a peer is dead
 *   ownershipEpsilon: 0.25        # no instance owns more than ceil((1 + e) * average) keys
 *   startupGrace: 10s             # a peer not heard from since start counts as live this long; default
 *                                 # max(10s, 10 intervals, dead-after); 0s..10m, 0s: none
 *   maxClockSkew: 5m              # a peer's epoch or counter stamp this far ahead of our clock is refused
 * tls:                            # TLS on the one listener (docs/security.md); files are re-read when they change
 *   certificate: r1.pem           # PEM chain, leaf first; also this instance's client certificate towards peers
 *   key: r1-key.pem               # unencrypted PKCS#8 PEM key
 *   clientCa: ca.pem              # optional: CAs whose client certificates name callers
 *   clientAuth: want              # none | want | need; default want with clientCa, none without
 *   ca: ca.pem                    # optional: CAs trusted for peers' server certificates; default clientCa
 * insecure: false                 # true: allow plain HTTP on a non-loopback address
 * audit:                          # the audit log (docs/security.md): JSON lines, rotated by size
 *   file: data/r1/audit/audit.log # default <dataDir>/audit/audit.log; relative to the file's folder
 *   maxBytes: 50MiB               # bytes, or KiB, MiB, GiB; at least 1KiB
 *   keep: 5                       # files kept, the current one included; 1..100
 * limits:                         # per source address (docs/security.md)
 *   authFailures: 50              # failed authentications within authFailureWindow before a lockout
 *   authFailureWindow: 1m
 *   authLockout: 1m               # 429 on every route that needs a credential, for this long
 *   expensivePerSecond: 50        # requests per second to the expensive read routes (cluster, capacity, layouts ...)
 *   expensiveBurst: 100           # how many of those may come at once
 *   connectionsPerSource: 2000    # open HTTP and WebSocket connections
 * }</pre>
 *
 * <p>The file is read as manifests are ({@link CheckedFile}: composed into nodes only, never constructed, so no tag can
 * instantiate a class; explicit tags, aliases and duplicate keys refused) and checked against its JSON Schema
 * ({@link FileFormat#RECONCILER_CONFIG}, {@code nvmesh schema ReconcilerConfig}): unknown keys, types, required fields,
 * number ranges. This class checks what a schema cannot say: addresses and URLs, duration ranges, files that must
 * exist and parse, peers, tokens, and settings that depend on each other. Every problem found is reported at once, each
 * with file:line:column.
 */
public final class ConfigLoader {

    private static final Pattern BYTES = Pattern.compile("(\\d{1,12})\\s*(KiB|MiB|GiB)?");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");
    private static final Pattern HOST_PORT = Pattern.compile("(?:\\[([0-9a-fA-F:.]+)]|([^:\\[\\]]+)):(\\d{1,5})");

    private final Path baseDir;
    private final List<Problem> problems = new ArrayList<>();
    /** {@code --check}: also what only shows at start (see {@link ConfigCheck}); what it found fine. */
    private final boolean deep;
    private final List<String> checked = new ArrayList<>();
    private Field root;

    private ConfigLoader(Path baseDir, boolean deep) {
        this.baseDir = baseDir;
        this.deep = deep;
    }

    /**
     * Loads and checks a configuration file.
     *
     * @throws InvalidConfigException listing every problem, when the file cannot be read or is not valid
     */
    public static InstanceConfig load(Path path) {
        return new ConfigLoader(path.toAbsolutePath().getParent(), false).read(readFile(path));
    }

    /**
     * Checks configuration text.
     *
     * @param file    the name to report problems under
     * @param baseDir what relative paths in the text are relative to
     */
    public static InstanceConfig parse(String text, String file, Path baseDir) {
        return new ConfigLoader(baseDir, false).read(CheckedFile.read(FileFormat.RECONCILER_CONFIG, file,
                text.getBytes(StandardCharsets.UTF_8)));
    }

    /** {@link ConfigCheck#of}: every problem of the file and of what it names; nothing is changed. */
    static ConfigCheck check(Path path) {
        ConfigLoader loader = new ConfigLoader(path.toAbsolutePath().getParent(), true);
        try {
            loader.read(readFile(path));
            return new ConfigCheck(List.of(), loader.checked);
        } catch (InvalidConfigException e) {
            return new ConfigCheck(e.problems(), loader.checked);
        }
    }

    private static CheckedFile readFile(Path path) {
        try {
            return CheckedFile.read(FileFormat.RECONCILER_CONFIG, path.toString(), Files.readAllBytes(path));
        } catch (IOException e) {
            throw new InvalidConfigException(List.of(new Problem(path.toString(), 0, 0, "", "",
                    "cannot read: " + e.getClass().getSimpleName() + " " + e.getMessage())));
        }
    }

    private InstanceConfig read(CheckedFile file) {
        problems.addAll(file.problems());
        if (!file.readable()) {
            throw new InvalidConfigException(problems);
        }
        root = file.root();
        InstanceConfig config = build(root);
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return config;
    }

    private InstanceConfig build(Field top) {
        String id = string(top.get("id")).orElse(null);
        if (id != null) {
            check(() -> Member.checkId(id), top.get("id"));
        }
        Listen listen = listen(top.get("listen"));
        Optional<URI> advertise = string(top.get("advertiseUrl")).flatMap(s -> url(s, top.get("advertiseUrl")));
        if (listen.wildcard() && advertise.isEmpty() && top.get("peers").present()) {
            problem(top.get("listen"), "listening on every address needs `advertiseUrl:` so that peers know where to "
                    + "reach this instance");
        }
        Path dataDir = string(top.get("dataDir")).map(s -> baseDir.resolve(s).normalize())
                .orElseGet(() -> baseDir.resolve("data").resolve(id == null ? "instance" : id).normalize());
        Git git = git(top.get("git"));
        List<Member> peers = peers(top.get("peers"), id);
        AuthConfig auth = auth(top.get("auth"), !peers.isEmpty());
        Cluster cluster = cluster(top.get("cluster"));
        Optional<TlsConfig> tls = tls(top.get("tls"));
        boolean insecure = string(top.get("insecure")).map(Boolean::parseBoolean).orElse(false);
        if (tls.isEmpty() && !insecure && !top.get("tls").present() && !InstanceConfig.isLoopback(listen.host())) {
            problem(top.get("listen"), "plain HTTP on " + listen.host() + " would send tokens and commands in clear; "
                    + "configure `tls:` (docs/security.md) or set `insecure: true`");
        }
        AuditConfig audit = audit(top.get("audit"), dataDir);
        LimitsConfig limits = limits(top.get("limits"));

        if (deep) {
            checked.addAll(ConfigCheck.deep(new ConfigCheck.Values(id, Optional.ofNullable(auth), !peers.isEmpty(),
                    tls.map(TlsConfig::certificate), dataDir, audit.file(), git.remote(), git.branch(),
                    git.trustedKeys(), git.allowedSigners(), git.ssh()), (path, message) -> {
                        // The own token is given as `token` or `tokenFile`: point at the one that is there.
                        String at = path.equals("auth.token") && !at("auth.token").present() ? "auth.tokenFile" : path;
                        problem(at(at), message);
                    }, problems::add));
        }
        if (!problems.isEmpty() || id == null || auth == null) {
            return null;
        }
        try {
            return new InstanceConfig(id, listen.host(), listen.port(), advertise, peers, git.remote(), git.branch(),
                    git.poll(), dataDir, auth, cluster.interval(), cluster.missed(), cluster.epsilon(),
                    cluster.grace(), cluster.skew(), tls, insecure, audit, limits, git.trustedKeys(),
                    git.allowedSigners(), git.ssh(), git.pack());
        } catch (IllegalArgumentException e) {
            // Everything the record checks is checked above with a location; this is the safety net.
            problems.add(root.problem(e.getMessage()));
            return null;
        }
    }

    /** Where to listen; {@code wildcard}: on every address. */
    private record Listen(String host, int port, boolean wildcard) {
    }

    private Listen listen(Field field) {
        Optional<String> text = string(field);
        if (text.isEmpty()) {
            return new Listen(InstanceConfig.DEFAULT_HOST, InstanceConfig.DEFAULT_PORT, false);
        }
        String value = text.get().trim();
        Matcher m = HOST_PORT.matcher(value);
        if (value.matches("\\d{1,5}")) {
            return new Listen(InstanceConfig.DEFAULT_HOST, port(value, field), false);
        }
        if (!m.matches()) {
            problem(field, "\"" + value + "\" is not host:port (e.g. 127.0.0.1:7420, [::1]:7420, or 7420)");
            return new Listen(InstanceConfig.DEFAULT_HOST, InstanceConfig.DEFAULT_PORT, false);
        }
        String host = m.group(1) != null ? m.group(1) : m.group(2);
        boolean wildcard = host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
        return new Listen(host.equals("*") ? "0.0.0.0" : host, port(m.group(3), field), wildcard);
    }

    /** The {@code git:} section, defaults filled in. */
    private record Git(String remote, String branch, Duration poll, Duration pack, Optional<Path> trustedKeys,
                       Optional<Path> allowedSigners, Optional<SshAccess> ssh) {
    }

    private Git git(Field git) {
        String remote = string(git.get("remote")).orElse("");
        if (!remote.isEmpty() && !remote.contains("://") && !remote.contains("@")) {
            remote = baseDir.resolve(remote).normalize().toString();
        }
        Duration poll = duration(git.get("pollInterval"), InstanceConfig.MIN_HEARTBEAT_INTERVAL,
                InstanceConfig.MAX_HEARTBEAT_INTERVAL, "10ms..1m").orElse(InstanceConfig.DEFAULT_POLL_INTERVAL);
        Duration pack = string(git.get("packInterval")).filter(t -> t.trim().matches("0|0s|0m|0ms|off"))
                .map(t -> Duration.ZERO)
                .or(() -> duration(git.get("packInterval"), InstanceConfig.MIN_PACK_INTERVAL,
                        InstanceConfig.MAX_PACK_INTERVAL, "1m..10080m (or 0, off: never)"))
                .orElse(InstanceConfig.DEFAULT_PACK_INTERVAL);
        Optional<Path> trustedKeys = file(git.get("trustedKeys"));
        trustedKeys.filter(f -> !Files.isReadable(f)).ifPresent(f -> problem(git.get("trustedKeys"), "cannot read "
                + f + " (the OpenPGP public keys of whoever may sign desired commits)"));
        Optional<Path> allowedSigners = file(git.get("allowedSigners"));
        allowedSigners.ifPresent(f -> check(() -> io.nvmesh.core.signature.TrustedKeys.readAllowedSigners(f),
                git.get("allowedSigners"), e -> e.getMessage() + " (the SSH keys of whoever may sign desired commits, "
                        + "an OpenSSH allowed signers file)"));
        Optional<SshAccess> ssh = gitSsh(git.get("ssh"));
        if (!git.get("ssh").present() && isSshUrl(remote)) {
            problem(git.get("remote"), remote + " is an SSH remote: add `git.ssh.identity` (the private key to log in "
                    + "with) and `git.ssh.knownHosts` (a known_hosts file holding the server's host key); ~/.ssh is "
                    + "not read");
        }
        return new Git(remote, string(git.get("branch")).orElse(InstanceConfig.DEFAULT_BRANCH), poll, pack,
                trustedKeys, allowedSigners, ssh);
    }

    /** The {@code cluster:} section, defaults filled in. */
    private record Cluster(Duration interval, int missed, double epsilon, Optional<Duration> grace, Duration skew) {
    }

    private Cluster cluster(Field cluster) {
        Duration interval = duration(cluster.get("heartbeatInterval"), InstanceConfig.MIN_HEARTBEAT_INTERVAL,
                InstanceConfig.MAX_HEARTBEAT_INTERVAL, "10ms..1m").orElse(InstanceConfig.DEFAULT_HEARTBEAT_INTERVAL);
        int missed = string(cluster.get("missedHeartbeats")).map(Integer::parseInt)
                .orElse(InstanceConfig.DEFAULT_MISSED_HEARTBEATS);
        double epsilon = string(cluster.get("ownershipEpsilon")).flatMap(s -> epsilon(s, cluster.get(
                "ownershipEpsilon"))).orElse(InstanceConfig.DEFAULT_OWNERSHIP_EPSILON);
        Optional<Duration> grace = duration(cluster.get("startupGrace"), Duration.ZERO,
                InstanceConfig.MAX_STARTUP_GRACE, "0s..10m");
        Duration skew = duration(cluster.get("maxClockSkew"), Duration.ofSeconds(1), Duration.ofDays(1), "1s..1d")
                .orElse(InstanceConfig.DEFAULT_MAX_CLOCK_SKEW);
        Duration deadAfter = interval.multipliedBy(missed);
        if (grace.isPresent() && !grace.get().isZero() && grace.get().compareTo(deadAfter) < 0) {
            problem(cluster.get("startupGrace"), "a grace of " + grace.get().toMillis() + "ms is shorter than the "
                    + "dead-after time (" + deadAfter.toMillis() + "ms = " + missed + " x heartbeatInterval); use at "
                    + "least that, or 0s for none");
            grace = Optional.empty();
        }
        return new Cluster(interval, missed, epsilon, grace, skew);
    }

    /** {@code git.ssh}: both files (the schema requires both), readable; empty when absent or a problem was noted. */
    private Optional<SshAccess> gitSsh(Field ssh) {
        Optional<Path> identity = file(ssh.get("identity"));
        Optional<Path> knownHosts = file(ssh.get("knownHosts"));
        boolean ok = identity.isPresent() && knownHosts.isPresent();
        if (identity.isPresent() && !Files.isReadable(identity.get())) {
            problem(ssh.get("identity"), "cannot read " + identity.get()
                    + " (the private key to log in to the Git server with)");
            ok = false;
        }
        if (knownHosts.isPresent() && !Files.isReadable(knownHosts.get())) {
            problem(ssh.get("knownHosts"), "cannot read " + knownHosts.get()
                    + " (a known_hosts file holding the Git server's host key, e.g. from ssh-keyscan)");
            ok = false;
        }
        return ok ? Optional.of(new SshAccess(identity.get(), knownHosts.get())) : Optional.empty();
    }

    /** {@code ssh://}, {@code git+ssh://} or scp-like {@code user@host:path}: what JGit reaches over SSH. */
    static boolean isSshUrl(String remote) {
        String r = remote.toLowerCase(java.util.Locale.ROOT);
        return r.startsWith("ssh://") || r.startsWith("git+ssh://") || r.startsWith("ssh+git://")
                || (!r.contains("://") && r.matches("[^/]*@[^/:]+:.*"));
    }

    private List<Member> peers(Field list, String selfId) {
        List<Member> peers = new ArrayList<>();
        Map<String, Field> seen = new HashMap<>();
        for (Field peer : list.items()) {
            Field idField = peer.get("id");
            Optional<String> id = string(idField);
            Optional<String> url = string(peer.get("url"));
            if (id.isEmpty() || url.isEmpty() || !check(() -> Member.checkId(id.get()), idField)) {
                continue;
            }
            if (id.get().equals(selfId)) {
                problem(idField, "\"" + id.get() + "\" is this instance's own id; list only the others");
                continue;
            }
            Field first = seen.putIfAbsent(id.get(), idField);
            if (first != null) {
                problem(idField, "peer \"" + id.get() + "\" is already listed at line " + first.location().line());
                continue;
            }
            url(url.get(), peer.get("url")).ifPresent(u -> peers.add(new Member(id.get(), u)));
        }
        return peers;
    }

    private AuditConfig audit(Field audit, Path dataDir) {
        AuditConfig defaults = AuditConfig.in(dataDir);
        return new AuditConfig(file(audit.get("file")).orElse(defaults.file()),
                string(audit.get("maxBytes")).flatMap(s -> bytes(s, audit.get("maxBytes"))).orElse(defaults.maxBytes()),
                string(audit.get("keep")).map(Integer::parseInt).orElse(defaults.keep()));
    }

    private LimitsConfig limits(Field limits) {
        LimitsConfig d = LimitsConfig.DEFAULTS;
        Function<String, Integer> count = key -> string(limits.get(key)).map(Integer::parseInt).orElse(null);
        return new LimitsConfig(Optional.ofNullable(count.apply("authFailures")).orElse(d.authFailures()),
                duration(limits.get("authFailureWindow"), Duration.ofSeconds(1), Duration.ofHours(1), "1s..60m")
                        .orElse(d.authFailureWindow()),
                duration(limits.get("authLockout"), Duration.ofSeconds(1), Duration.ofHours(24), "1s..1440m")
                        .orElse(d.authLockout()),
                Optional.ofNullable(count.apply("expensivePerSecond")).orElse(d.expensivePerSecond()),
                Optional.ofNullable(count.apply("expensiveBurst")).orElse(d.expensiveBurst()),
                Optional.ofNullable(count.apply("connectionsPerSource")).orElse(d.connectionsPerSource()));
    }

    private Optional<Long> bytes(String text, Field at) {
        Matcher m = BYTES.matcher(text.trim());
        if (m.matches()) {
            long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
                case "KiB" -> 1L << 10;
                case "MiB" -> 1L << 20;
                default -> 1L << 30;
            };
            long n = Long.parseLong(m.group(1)) * unit;
            if (n >= AuditConfig.MIN_MAX_BYTES && n <= (1L << 40)) {
                return Optional.of(n);
            }
        }
        problem(at, "\"" + text + "\" is not a size from 1KiB to 1024GiB (e.g. 50MiB, 65536)");
        return Optional.empty();
    }

    private AuthConfig auth(Field auth, boolean hasPeers) {
        for (String shared : List.of("peerSecret", "agentSecret")) {
            if (auth.get(shared).present()) {
                problems.add(auth.get(shared).keyProblem("shared secrets were replaced by one credential per "
                        + "instance and per agent: give this instance its own `auth.tokenFile` and list every instance "
                        + "and agent in `auth.credentialsFile` (docs/security.md; `nvmesh token create` makes them)"));
            }
        }
        Map<String, Field> where = new LinkedHashMap<>();
        List<String> admin = tokens(auth.get("adminTokens"), where);
        List<String> read = tokens(auth.get("readTokens"), where);
        Optional<Path> credentialsFile = file(auth.get("credentialsFile"));
        Optional<String> inline = string(auth.get("token"));
        Optional<String> file = string(auth.get("tokenFile"));
        String token = "";
        if (inline.isPresent() && file.isPresent()) {
            problems.add(auth.get("tokenFile").keyProblem("give `token` or `tokenFile`, not both"));
        } else if (inline.isPresent()) {
            token = inline.get();
            checkToken(token, auth.get("token"), where);
        } else if (file.isPresent()) {
            token = tokenFile(baseDir.resolve(file.get()).normalize(), auth.get("tokenFile"));
        }
        if (hasPeers && (token.isEmpty() || credentialsFile.isEmpty())) {
            List<String> missing = new ArrayList<>();
            if (token.isEmpty()) {
                missing.add("`tokenFile` (this instance's own token)");
            }
            if (credentialsFile.isEmpty()) {
                missing.add("`credentialsFile` (every instance and agent that may call it)");
            }
            problem(auth, String.join(" and ", missing) + (missing.size() == 1 ? " is" : " are")
                    + " required when peers are configured (docs/security.md)");
        }
        try {
            AuthConfig config = AuthConfig.tokens(admin, read).withToken(token);
            return credentialsFile.map(config::withCredentialsFile).orElse(config);
        } catch (IllegalArgumentException e) {
            return null; // already reported with a location
        }
    }

    private Optional<TlsConfig> tls(Field tls) {
        if (!tls.given()) {
            return Optional.empty();
        }
        int before = problems.size();
        Optional<Path> cert = pem(tls.get("certificate"), f -> io.nvmesh.core.certs.PemFiles.readCertificates(f));
        Optional<Path> key = pem(tls.get("key"), f -> io.nvmesh.core.certs.PemFiles.readPrivateKey(f));
        Optional<Path> clientCa = pem(tls.get("clientCa"), f -> io.nvmesh.core.certs.PemFiles.readCertificates(f));
        Optional<Path> ca = pem(tls.get("ca"), f -> io.nvmesh.core.certs.PemFiles.readCertificates(f));
        TlsConfig.ClientAuth clientAuth = clientCa.isPresent() ? TlsConfig.ClientAuth.WANT : TlsConfig.ClientAuth.NONE;
        Optional<String> word = string(tls.get("clientAuth"));
        if (word.isPresent()) {
            clientAuth = TlsConfig.ClientAuth.valueOf(word.get().toUpperCase(java.util.Locale.ROOT));
            if (clientAuth != TlsConfig.ClientAuth.NONE && clientCa.isEmpty() && !tls.get("clientCa").present()) {
                problem(tls.get("clientAuth"), "clientAuth " + word.get() + " needs `clientCa:` (the CAs whose client "
                        + "certificates are accepted)");
            }
        }
        if (cert.isPresent() && key.isPresent()) {
            check(() -> io.nvmesh.core.certs.PemFiles.keyStore(cert.get(), key.get()), tls.get("key"));
        }
        if (problems.size() > before || cert.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TlsConfig(cert.get(), key.get(), clientCa, clientAuth, ca));
    }

    /** A PEM file named under {@code tls}, resolved and read once so that a bad file is a problem at its line. */
    private Optional<Path> pem(Field field, java.util.function.Consumer<Path> read) {
        Optional<String> name = string(field);
        Optional<Path> file = file(field);
        if (file.isEmpty()) {
            return file;
        }
        // Named as the operator wrote it, not as resolved.
        return check(() -> read.accept(file.get()), field, e -> e.getMessage().replace(file.get().toString(),
                name.get())) ? file : Optional.empty();
    }

    /** The token in a file (its first line, trimmed); problems at the `tokenFile` value. */
    private String tokenFile(Path path, Field at) {
        try {
            String text = Files.readString(path).strip();
            if (text.contains("\n")) {
                text = text.substring(0, text.indexOf('\n')).strip();
            }
            checkToken(text, at, new LinkedHashMap<>());
            return text;
        } catch (IOException e) {
            problem(at, "cannot read " + path + ": " + e.getClass().getSimpleName());
            return "";
        }
    }

    private List<String> tokens(Field list, Map<String, Field> where) {
        List<String> tokens = new ArrayList<>();
        for (Field item : list.items()) {
            Optional<String> token = item.text();
            if (token.isPresent() && checkToken(token.get(), item, where)) {
                tokens.add(token.get());
            }
        }
        return tokens;
    }

    private boolean checkToken(String token, Field at, Map<String, Field> where) {
        if (!check(() -> io.nvmesh.core.credentials.Credential.checkToken(token), at)) {
            return false;
        }
        Field first = where.putIfAbsent(token, at);
        if (first != null) {
            problem(at, "the same token is already given at line " + first.location().line()
                    + "; a token may have only one role");
            return false;
        }
        return true;
    }

    /** The value as written, if given and not blank (the schema has said what is wrong with any other). */
    private static Optional<String> string(Field field) {
        return field.text().filter(s -> !s.isBlank());
    }

    /** A file named by a field, relative to the configuration's folder. */
    private Optional<Path> file(Field field) {
        return string(field).map(f -> baseDir.resolve(f).normalize());
    }

    private int port(String digits, Field at) {
        int port = Integer.parseInt(digits);
        if (port > 65535) {
            problem(at, "port " + port + " is above 65535");
        }
        return port;
    }

    private Optional<URI> url(String text, Field at) {
        try {
            URI uri = new URI(text.trim());
            new Member("x", uri);
            return Optional.of(uri);
        } catch (URISyntaxException | IllegalArgumentException e) {
            problem(at, "\"" + text + "\" is not an http(s) base URL such as http://10.0.0.5:7420");
            return Optional.empty();
        }
    }

    private Optional<Duration> duration(Field field, Duration min, Duration max, String range) {
        Optional<String> text = string(field);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = DURATION.matcher(text.get().trim());
        if (!m.matches()) {
            problem(field, "\"" + text.get() + "\" is not a duration (use e.g. 500ms, 2s, 1m)");
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            problem(field, text.get() + " is outside " + range);
            return Optional.empty();
        }
        return Optional.of(d);
    }

    private Optional<Double> epsilon(String text, Field at) {
        try {
            double e = Double.parseDouble(text.trim());
            if (e > 0 && e <= 10) {
                return Optional.of(e);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problem(at, "\"" + text + "\" is not a number in (0, 10], e.g. 0.25");
        return Optional.empty();
    }

    private boolean check(Runnable validation, Field at) {
        return check(validation, at, IllegalArgumentException::getMessage);
    }

    private boolean check(Runnable validation, Field at, Function<IllegalArgumentException, String> message) {
        try {
            validation.run();
            return true;
        } catch (IllegalArgumentException e) {
            problem(at, message.apply(e));
            return false;
        }
    }

    /** The field at a dotted path ({@code auth.tokenFile}); when absent, it reports at the nearest one written. */
    private Field at(String path) {
        Field at = root;
        for (String key : path.split("\\.")) {
            at = at.get(key);
        }
        return at;
    }

    private void problem(Field at, String message) {
        problems.add(at.problem(message));
    }
}
