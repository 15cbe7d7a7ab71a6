package io.nvmesh.service.config;

import io.nvmesh.core.state.SshAccess;
import io.nvmesh.schema.Problem;
import io.nvmesh.service.cluster.Member;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
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
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

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
 * <p>The YAML is composed into nodes only, never constructed into objects, so no tag can instantiate a class; explicit
 * tags, duplicate keys and unknown keys are refused. Every problem found is reported at once, each with
 * file:line:column.
 */
public final class ConfigLoader {

    private static final Set<String> TOP = Set.of("id", "listen", "advertiseUrl", "dataDir", "git", "peers", "auth",
            "cluster", "tls", "insecure", "audit", "limits");
    private static final Set<String> TLS = Set.of("certificate", "key", "clientCa", "clientAuth", "ca");
    private static final Set<String> AUDIT = Set.of("file", "maxBytes", "keep");
    private static final Set<String> LIMITS = Set.of("authFailures", "authFailureWindow", "authLockout",
            "expensivePerSecond", "expensiveBurst", "connectionsPerSource");
    private static final Pattern BYTES = Pattern.compile("(\\d{1,12})\\s*(KiB|MiB|GiB)?");
    private static final Set<String> GIT = Set.of("remote", "branch", "pollInterval", "trustedKeys",
            "allowedSigners", "ssh", "packInterval");
    private static final Set<String> GIT_SSH = Set.of("identity", "knownHosts");
    private static final Set<String> PEER = Set.of("id", "url");
    private static final Set<String> AUTH = Set.of("adminTokens", "readTokens", "credentialsFile", "token",
            "tokenFile", "peerSecret", "agentSecret");
    private static final Set<String> CLUSTER = Set.of("heartbeatInterval", "missedHeartbeats", "ownershipEpsilon",
            "startupGrace", "maxClockSkew");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");
    private static final Pattern HOST_PORT = Pattern.compile("(?:\\[([0-9a-fA-F:.]+)]|([^:\\[\\]]+)):(\\d{1,5})");

    private final String file;
    private final Path baseDir;
    private final List<Problem> problems = new ArrayList<>();
    /** {@code --check}: also what only shows at start (see {@link ConfigCheck}); what it found fine. */
    private final boolean deep;
    private final List<String> checked = new ArrayList<>();
    private Node root;

    private ConfigLoader(String file, Path baseDir, boolean deep) {
        this.file = file;
        this.baseDir = baseDir;
        this.deep = deep;
    }

    /**
     * Loads and checks a configuration file.
     *
     * @throws InvalidConfigException listing every problem, when the file cannot be read or is not valid
     */
    public static InstanceConfig load(Path path) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(path)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidConfigException(List.of(new Problem(path.toString(), 0, 0, "", "", "is not UTF-8")));
        } catch (IOException e) {
            throw new InvalidConfigException(List.of(new Problem(path.toString(), 0, 0, "", "",
                    "cannot read: " + e.getClass().getSimpleName() + " " + e.getMessage())));
        }
        Path parent = path.toAbsolutePath().getParent();
        return parse(text, path.toString(), parent);
    }

    /**
     * Checks configuration text.
     *
     * @param file    the name to report problems under
     * @param baseDir what relative paths in the text are relative to
     */
    public static InstanceConfig parse(String text, String file, Path baseDir) {
        return new ConfigLoader(file, baseDir, false).read(text);
    }

    /** {@link ConfigCheck#of}: every problem of the file and of what it names; nothing is changed. */
    static ConfigCheck check(Path path) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(path)))
                    .toString();
        } catch (CharacterCodingException e) {
            return new ConfigCheck(List.of(new Problem(path.toString(), 0, 0, "", "", "is not UTF-8")), List.of());
        } catch (IOException e) {
            return new ConfigCheck(List.of(new Problem(path.toString(), 0, 0, "", "", "cannot read: "
                    + e.getClass().getSimpleName() + " " + e.getMessage())), List.of());
        }
        ConfigLoader loader = new ConfigLoader(path.toString(), path.toAbsolutePath().getParent(), true);
        try {
            loader.read(text);
            return new ConfigCheck(List.of(), loader.checked);
        } catch (InvalidConfigException e) {
            return new ConfigCheck(e.problems(), loader.checked);
        }
    }

    private InstanceConfig read(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(20);
        options.setCodePointLimit(1 << 20);
        Node root;
        try {
            root = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new InvalidConfigException(List.of(mark == null
                    ? new Problem(file, 0, 0, "", "", "not valid YAML: " + what)
                    : new Problem(file, mark.getLine() + 1, mark.getColumn() + 1, "", "", "not valid YAML: " + what)));
        } catch (YAMLException e) {
            throw new InvalidConfigException(List.of(new Problem(file, 0, 0, "", "", "not valid YAML: "
                    + e.getMessage())));
        }
        if (root == null) {
            throw new InvalidConfigException(List.of(new Problem(file, 1, 1, "", "", "the file is empty; at least "
                    + "`id:` is required")));
        }
        this.root = root;
        InstanceConfig config = build(root);
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return config;
    }

    private InstanceConfig build(Node root) {
        Fields top = fields(root, "", TOP);
        if (top == null) {
            return null;
        }
        String id = string(top, "", "id", true).orElse(null);
        if (id != null) {
            check(() -> Member.checkId(id), "id", top.get("id").getValueNode());
        }

        String host = InstanceConfig.DEFAULT_HOST;
        int port = InstanceConfig.DEFAULT_PORT;
        boolean wildcard = false;
        Optional<String> listen = string(top, "", "listen", false);
        if (listen.isPresent()) {
            Node at = top.get("listen").getValueNode();
            String value = listen.get().trim();
            Matcher m = HOST_PORT.matcher(value);
            if (value.matches("\\d{1,5}")) {
                port = port(value, at);
            } else if (m.matches()) {
                host = m.group(1) != null ? m.group(1) : m.group(2);
                port = port(m.group(3), at);
                wildcard = host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
                if (host.equals("*")) {
                    host = "0.0.0.0";
                }
            } else {
                problem(at, "listen", "\"" + value + "\" is not host:port (e.g. 127.0.0.1:7420, [::1]:7420, or 7420)");
            }
        }

        Optional<URI> advertise = string(top, "", "advertiseUrl", false).flatMap(s ->
                url(s, top.get("advertiseUrl").getValueNode(), "advertiseUrl"));
        if (wildcard && advertise.isEmpty() && top.containsKey("peers")) {
            problem(top.get("listen").getValueNode(), "listen", "listening on every address needs `advertiseUrl:` "
                    + "so that peers know where to reach this instance");
        }

        Path dataDir = string(top, "", "dataDir", false).map(s -> baseDir.resolve(s).normalize())
                .orElseGet(() -> baseDir.resolve("data").resolve(id == null ? "instance" : id).normalize());

        String gitRemote = "";
        String gitBranch = InstanceConfig.DEFAULT_BRANCH;
        Duration poll = InstanceConfig.DEFAULT_POLL_INTERVAL;
        Optional<Path> trustedKeys = Optional.empty();
        Optional<Path> allowedSigners = Optional.empty();
        Optional<SshAccess> gitSsh = Optional.empty();
        Duration pack = InstanceConfig.DEFAULT_PACK_INTERVAL;
        if (top.containsKey("git")) {
            Fields git = fields(top.get("git").getValueNode(), "git", GIT);
            if (git != null) {
                gitRemote = string(git, "git", "remote", false).orElse("");
                if (!gitRemote.isEmpty() && !gitRemote.contains("://") && !gitRemote.contains("@")) {
                    gitRemote = baseDir.resolve(gitRemote).normalize().toString();
                }
                gitBranch = string(git, "git", "branch", false).orElse(gitBranch);
                poll = string(git, "git", "pollInterval", false)
                        .flatMap(s -> duration(s, git.get("pollInterval").getValueNode(), "git.pollInterval"))
                        .orElse(poll);
                Optional<String> packText = string(git, "git", "packInterval", false);
                if (packText.isPresent() && packText.get().trim().matches("0|0s|0m|0ms|off")) {
                    pack = Duration.ZERO;
                } else if (packText.isPresent()) {
                    pack = duration(packText.get(), git.get("packInterval").getValueNode(), "git.packInterval",
                            InstanceConfig.MIN_PACK_INTERVAL, InstanceConfig.MAX_PACK_INTERVAL, "1m..10080m (or 0, off: "
                                    + "never)").orElse(pack);
                }
                trustedKeys = string(git, "git", "trustedKeys", false).map(f -> baseDir.resolve(f).normalize());
                trustedKeys.ifPresent(f -> {
                    if (!Files.isReadable(f)) {
                        problem(git.get("trustedKeys").getValueNode(), "git.trustedKeys", "cannot read " + f
                                + " (the OpenPGP public keys of whoever may sign desired commits)");
                    }
                });
                allowedSigners = string(git, "git", "allowedSigners", false).map(f -> baseDir.resolve(f).normalize());
                allowedSigners.ifPresent(f -> {
                    try {
                        io.nvmesh.core.signature.TrustedKeys.readAllowedSigners(f);
                    } catch (IllegalArgumentException e) {
                        problem(git.get("allowedSigners").getValueNode(), "git.allowedSigners", e.getMessage()
                                + " (the SSH keys of whoever may sign desired commits, an OpenSSH allowed signers "
                                + "file)");
                    }
                });
                gitSsh = gitSsh(git);
                if (!git.containsKey("ssh") && isSshUrl(gitRemote)) {
                    problem(git.get("remote").getValueNode(), "git.remote", gitRemote + " is an SSH remote: add "
                            + "`git.ssh.identity` (the private key to log in with) and `git.ssh.knownHosts` (a "
                            + "known_hosts file holding the server's host key); ~/.ssh is not read");
                }
            }
        }

        List<Member> peers = peers(top.get("peers"), id);
        AuthConfig auth = auth(top.get("auth"), !peers.isEmpty());

        Duration interval = InstanceConfig.DEFAULT_HEARTBEAT_INTERVAL;
        int missed = InstanceConfig.DEFAULT_MISSED_HEARTBEATS;
        double epsilon = InstanceConfig.DEFAULT_OWNERSHIP_EPSILON;
        Optional<Duration> grace = Optional.empty();
        Duration skew = InstanceConfig.DEFAULT_MAX_CLOCK_SKEW;
        if (top.containsKey("cluster")) {
            Fields cluster = fields(top.get("cluster").getValueNode(), "cluster", CLUSTER);
            if (cluster != null) {
                interval = string(cluster, "cluster", "heartbeatInterval", false)
                        .flatMap(s -> duration(s, cluster.get("heartbeatInterval").getValueNode(),
                                "cluster.heartbeatInterval")).orElse(interval);
                missed = string(cluster, "cluster", "missedHeartbeats", false)
                        .flatMap(s -> integer(s, cluster.get("missedHeartbeats").getValueNode(),
                                "cluster.missedHeartbeats", 1, 100)).orElse(missed);
                epsilon = string(cluster, "cluster", "ownershipEpsilon", false)
                        .flatMap(s -> epsilon(s, cluster.get("ownershipEpsilon").getValueNode())).orElse(epsilon);
                grace = string(cluster, "cluster", "startupGrace", false)
                        .flatMap(s -> duration(s, cluster.get("startupGrace").getValueNode(), "cluster.startupGrace",
                                Duration.ZERO, InstanceConfig.MAX_STARTUP_GRACE, "0s..10m"));
                skew = string(cluster, "cluster", "maxClockSkew", false)
                        .flatMap(s -> duration(s, cluster.get("maxClockSkew").getValueNode(), "cluster.maxClockSkew",
                                Duration.ofSeconds(1), Duration.ofDays(1), "1s..1d")).orElse(skew);
                Duration deadAfter = interval.multipliedBy(missed);
                if (grace.isPresent() && !grace.get().isZero() && grace.get().compareTo(deadAfter) < 0) {
                    problem(cluster.get("startupGrace").getValueNode(), "cluster.startupGrace", "a grace of "
                            + grace.get().toMillis() + "ms is shorter than the dead-after time (" + deadAfter.toMillis()
                            + "ms = " + missed + " x heartbeatInterval); use at least that, or 0s for none");
                    grace = Optional.empty();
                }
            }
        }

        Optional<TlsConfig> tls = tls(top.get("tls"));
        boolean insecure = false;
        Optional<String> insecureText = string(top, "", "insecure", false);
        if (insecureText.isPresent()) {
            switch (insecureText.get()) {
                case "true" -> insecure = true;
                case "false" -> insecure = false;
                default -> problem(top.get("insecure").getValueNode(), "insecure", "\"" + insecureText.get()
                        + "\" is not true or false");
            }
        }
        if (tls.isEmpty() && !insecure && !top.containsKey("tls") && !InstanceConfig.isLoopback(host)) {
            problem(top.containsKey("listen") ? top.get("listen").getValueNode() : null, "listen", "plain HTTP on "
                    + host + " would send tokens and commands in clear; configure `tls:` (docs/security.md) or set "
                    + "`insecure: true`");
        }
        AuditConfig audit = audit(top.get("audit"), dataDir);
        LimitsConfig limits = limits(top.get("limits"));

        if (deep) {
            checked.addAll(ConfigCheck.deep(new ConfigCheck.Values(id, Optional.ofNullable(auth), !peers.isEmpty(),
                    tls.map(TlsConfig::certificate), dataDir, audit.file(), gitRemote, gitBranch,
                    trustedKeys, allowedSigners, gitSsh), (path, message) -> {
                        // The own token is given as `token` or `tokenFile`: point at the one that is there.
                        String at = path.equals("auth.token") && nodeAt("auth.token") == nodeAt("auth")
                                ? "auth.tokenFile" : path;
                        problem(nodeAt(at), at, message);
                    }, problems::add));
        }
        if (!problems.isEmpty() || id == null || auth == null) {
            return null;
        }
        try {
            return new InstanceConfig(id, host, port, advertise, peers, gitRemote, gitBranch, poll, dataDir, auth,
                    interval, missed, epsilon, grace, skew, tls, insecure, audit, limits,
                    trustedKeys, allowedSigners, gitSsh, pack);
        } catch (IllegalArgumentException e) {
            // Everything the record checks is checked above with a location; this is the safety net.
            problems.add(new Problem(file, 0, 0, "", "", e.getMessage()));
            return null;
        }
    }

    /** {@code git.ssh}: both files, readable; empty when absent or when a problem was noted. */
    private Optional<SshAccess> gitSsh(Fields git) {
        NodeTuple tuple = git.get("ssh");
        if (tuple == null || isNull(tuple.getValueNode())) {
            return Optional.empty();
        }
        Fields ssh = fields(tuple.getValueNode(), "git.ssh", GIT_SSH);
        if (ssh == null) {
            return Optional.empty();
        }
        Optional<Path> identity = string(ssh, "git.ssh", "identity", true).map(f -> baseDir.resolve(f).normalize());
        Optional<Path> knownHosts = string(ssh, "git.ssh", "knownHosts", true)
                .map(f -> baseDir.resolve(f).normalize());
        boolean ok = identity.isPresent() && knownHosts.isPresent();
        if (identity.isPresent() && !Files.isReadable(identity.get())) {
            problem(ssh.get("identity").getValueNode(), "git.ssh.identity", "cannot read " + identity.get()
                    + " (the private key to log in to the Git server with)");
            ok = false;
        }
        if (knownHosts.isPresent() && !Files.isReadable(knownHosts.get())) {
            problem(ssh.get("knownHosts").getValueNode(), "git.ssh.knownHosts", "cannot read " + knownHosts.get()
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

    private List<Member> peers(NodeTuple tuple, String selfId) {
        List<Member> peers = new ArrayList<>();
        if (tuple == null) {
            return peers;
        }
        Node node = tuple.getValueNode();
        if (isNull(node)) {
            return peers;
        }
        if (!(node instanceof SequenceNode seq)) {
            problem(node, "peers", "expected a list of {id, url}, found " + kind(node));
            return peers;
        }
        Map<String, Node> seen = new HashMap<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            String path = "peers[" + i + "]";
            Fields peer = fields(seq.getValue().get(i), path, PEER);
            if (peer == null) {
                continue;
            }
            Optional<String> id = string(peer, path, "id", true);
            Optional<String> url = string(peer, path, "url", true);
            if (id.isEmpty() || url.isEmpty()) {
                continue;
            }
            Node idNode = peer.get("id").getValueNode();
            if (!check(() -> Member.checkId(id.get()), path + ".id", idNode)) {
                continue;
            }
            if (id.get().equals(selfId)) {
                problem(idNode, path + ".id", "\"" + id.get() + "\" is this instance's own id; list only the others");
                continue;
            }
            if (seen.containsKey(id.get())) {
                Node first = seen.get(id.get());
                problem(idNode, path + ".id", "peer \"" + id.get() + "\" is already listed at line "
                        + (first.getStartMark().getLine() + 1));
                continue;
            }
            seen.put(id.get(), idNode);
            url(url.get(), peer.get("url").getValueNode(), path + ".url")
                    .ifPresent(u -> peers.add(new Member(id.get(), u)));
        }
        return peers;
    }

    private AuditConfig audit(NodeTuple tuple, Path dataDir) {
        AuditConfig defaults = AuditConfig.in(dataDir);
        if (tuple == null || isNull(tuple.getValueNode())) {
            return defaults;
        }
        Fields audit = fields(tuple.getValueNode(), "audit", AUDIT);
        if (audit == null) {
            return defaults;
        }
        Path file = string(audit, "audit", "file", false).map(s -> baseDir.resolve(s).normalize())
                .orElse(defaults.file());
        long maxBytes = string(audit, "audit", "maxBytes", false)
                .flatMap(s -> bytes(s, audit.get("maxBytes").getValueNode(), "audit.maxBytes"))
                .orElse(defaults.maxBytes());
        int keep = string(audit, "audit", "keep", false)
                .flatMap(s -> integer(s, audit.get("keep").getValueNode(), "audit.keep", 1, AuditConfig.MAX_KEEP))
                .orElse(defaults.keep());
        return new AuditConfig(file, maxBytes, keep);
    }

    private LimitsConfig limits(NodeTuple tuple) {
        LimitsConfig d = LimitsConfig.DEFAULTS;
        if (tuple == null || isNull(tuple.getValueNode())) {
            return d;
        }
        Fields limits = fields(tuple.getValueNode(), "limits", LIMITS);
        if (limits == null) {
            return d;
        }
        int failures = count(limits, "authFailures", d.authFailures());
        Duration window = string(limits, "limits", "authFailureWindow", false)
                .flatMap(s -> duration(s, limits.get("authFailureWindow").getValueNode(), "limits.authFailureWindow",
                        Duration.ofSeconds(1), Duration.ofHours(1), "1s..60m"))
                .orElse(d.authFailureWindow());
        Duration lockout = string(limits, "limits", "authLockout", false)
                .flatMap(s -> duration(s, limits.get("authLockout").getValueNode(), "limits.authLockout",
                        Duration.ofSeconds(1), Duration.ofHours(24), "1s..1440m"))
                .orElse(d.authLockout());
        return new LimitsConfig(failures, window, lockout, count(limits, "expensivePerSecond", d.expensivePerSecond()),
                count(limits, "expensiveBurst", d.expensiveBurst()),
                count(limits, "connectionsPerSource", d.connectionsPerSource()));
    }

    private int count(Fields limits, String key, int otherwise) {
        return string(limits, "limits", key, false)
                .flatMap(s -> integer(s, limits.get(key).getValueNode(), "limits." + key, 1, 1_000_000))
                .orElse(otherwise);
    }

    private Optional<Long> bytes(String text, Node at, String path) {
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
        problem(at, path, "\"" + text + "\" is not a size from 1KiB to 1024GiB (e.g. 50MiB, 65536)");
        return Optional.empty();
    }

    private AuthConfig auth(NodeTuple tuple, boolean hasPeers) {
        List<String> admin = List.of();
        List<String> read = List.of();
        Optional<Path> credentialsFile = Optional.empty();
        String token = "";
        Map<String, Node> where = new LinkedHashMap<>();
        Node authNode = tuple == null ? null : tuple.getValueNode();
        if (authNode != null) {
            Fields auth = fields(authNode, "auth", AUTH);
            if (auth == null) {
                return null;
            }
            for (String shared : List.of("peerSecret", "agentSecret")) {
                if (auth.get(shared) != null) {
                    problem(auth.get(shared).getKeyNode(), "auth." + shared, "shared secrets were replaced by one "
                            + "credential per instance and per agent: give this instance its own `auth.tokenFile` and "
                            + "list every instance and agent in `auth.credentialsFile` (docs/security.md; `nvmesh "
                            + "token create` makes them)");
                }
            }
            admin = tokens(auth, "adminTokens", where);
            read = tokens(auth, "readTokens", where);
            credentialsFile = string(auth, "auth", "credentialsFile", false).map(f -> baseDir.resolve(f).normalize());
            Optional<String> inline = string(auth, "auth", "token", false);
            Optional<String> file = string(auth, "auth", "tokenFile", false);
            if (inline.isPresent() && file.isPresent()) {
                problem(auth.get("tokenFile").getKeyNode(), "auth.tokenFile", "give `token` or `tokenFile`, not both");
            } else if (inline.isPresent()) {
                token = inline.get();
                checkToken(token, auth.get("token").getValueNode(), "auth.token", where);
            } else if (file.isPresent()) {
                token = tokenFile(baseDir.resolve(file.get()).normalize(), auth.get("tokenFile").getValueNode());
            }
        }
        if (hasPeers && (token.isEmpty() || credentialsFile.isEmpty())) {
            List<String> missing = new ArrayList<>();
            if (token.isEmpty()) {
                missing.add("`tokenFile` (this instance's own token)");
            }
            if (credentialsFile.isEmpty()) {
                missing.add("`credentialsFile` (every instance and agent that may call it)");
            }
            problem(authNode, "auth", String.join(" and ", missing) + (missing.size() == 1 ? " is" : " are")
                    + " required when peers are configured (docs/security.md)");
        }
        try {
            AuthConfig auth = AuthConfig.tokens(admin, read).withToken(token);
            return credentialsFile.map(auth::withCredentialsFile).orElse(auth);
        } catch (IllegalArgumentException e) {
            return null; // already reported with a location
        }
    }

    private Optional<TlsConfig> tls(NodeTuple tuple) {
        if (tuple == null || isNull(tuple.getValueNode())) {
            return Optional.empty();
        }
        Fields tls = fields(tuple.getValueNode(), "tls", TLS);
        if (tls == null) {
            return Optional.empty();
        }
        int before = problems.size();
        Optional<Path> cert = pem(tls, "certificate", true, f -> io.nvmesh.core.certs.PemFiles.readCertificates(f));
        Optional<Path> key = pem(tls, "key", true, f -> io.nvmesh.core.certs.PemFiles.readPrivateKey(f));
        Optional<Path> clientCa = pem(tls, "clientCa", false, f -> io.nvmesh.core.certs.PemFiles.readCertificates(f));
        Optional<Path> ca = pem(tls, "ca", false, f -> io.nvmesh.core.certs.PemFiles.readCertificates(f));
        TlsConfig.ClientAuth clientAuth = clientCa.isPresent() ? TlsConfig.ClientAuth.WANT : TlsConfig.ClientAuth.NONE;
        Optional<String> word = string(tls, "tls", "clientAuth", false);
        if (word.isPresent()) {
            Node at = tls.get("clientAuth").getValueNode();
            switch (word.get()) {
                case "none" -> clientAuth = TlsConfig.ClientAuth.NONE;
                case "want" -> clientAuth = TlsConfig.ClientAuth.WANT;
                case "need" -> clientAuth = TlsConfig.ClientAuth.NEED;
                default -> problem(at, "tls.clientAuth", "\"" + word.get() + "\" is not none, want or need");
            }
            if (clientAuth != TlsConfig.ClientAuth.NONE && clientCa.isEmpty() && !tls.containsKey("clientCa")) {
                problem(at, "tls.clientAuth", "clientAuth " + word.get() + " needs `clientCa:` (the CAs whose client "
                        + "certificates are accepted)");
            }
        }
        if (cert.isPresent() && key.isPresent()) {
            Node at = tls.get("key").getValueNode();
            check(() -> io.nvmesh.core.certs.PemFiles.keyStore(cert.get(), key.get()), "tls.key", at);
        }
        if (problems.size() > before || cert.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TlsConfig(cert.get(), key.get(), clientCa, clientAuth, ca));
    }

    /** A PEM file named under {@code tls}, resolved and read once so that a bad file is a problem at its line. */
    private Optional<Path> pem(Fields tls, String key, boolean required, java.util.function.Consumer<Path> read) {
        Optional<String> name = string(tls, "tls", key, required);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Path file = baseDir.resolve(name.get()).normalize();
        try {
            read.accept(file);
            return Optional.of(file);
        } catch (IllegalArgumentException e) {
            // Named as the operator wrote it, not as resolved.
            problem(tls.get(key).getValueNode(), "tls." + key, e.getMessage().replace(file.toString(), name.get()));
            return Optional.empty();
        }
    }

    /** The token in a file (its first line, trimmed); problems at the `tokenFile` value. */
    private String tokenFile(Path path, Node at) {
        try {
            String text = Files.readString(path).strip();
            if (text.contains("\n")) {
                text = text.substring(0, text.indexOf('\n')).strip();
            }
            checkToken(text, at, "auth.tokenFile", new LinkedHashMap<>());
            return text;
        } catch (IOException e) {
            problem(at, "auth.tokenFile", "cannot read " + path + ": " + e.getClass().getSimpleName());
            return "";
        }
    }

    private List<String> tokens(Fields auth, String key, Map<String, Node> where) {
        NodeTuple tuple = auth.get(key);
        if (tuple == null || isNull(tuple.getValueNode())) {
            return List.of();
        }
        String path = "auth." + key;
        if (!(tuple.getValueNode() instanceof SequenceNode seq)) {
            problem(tuple.getValueNode(), path, "expected a list of tokens, found " + kind(tuple.getValueNode()));
            return List.of();
        }
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String itemPath = path + "[" + i + "]";
            if (!(item instanceof ScalarNode scalar) || isNull(item) || !plainTag(item)) {
                problem(item, itemPath, "expected a token (a string), found " + kind(item));
                continue;
            }
            if (checkToken(scalar.getValue(), item, itemPath, where)) {
                tokens.add(scalar.getValue());
            }
        }
        return tokens;
    }

    private boolean checkToken(String token, Node at, String path, Map<String, Node> where) {
        try {
            io.nvmesh.core.credentials.Credential.checkToken(token);
        } catch (IllegalArgumentException e) {
            problem(at, path, e.getMessage());
            return false;
        }
        Node first = where.putIfAbsent(token, at);
        if (first != null) {
            problem(at, path, "the same token is already given at line " + (first.getStartMark().getLine() + 1)
                    + "; a token may have only one role");
            return false;
        }
        return true;
    }

    /** A mapping's fields by key, and the mapping itself to point at when a required key is missing. */
    private record Fields(Node node, Map<String, NodeTuple> map) {

        NodeTuple get(String key) {
            return map.get(key);
        }

        boolean containsKey(String key) {
            return map.containsKey(key);
        }
    }

    /** The fields of a mapping, after refusing unknown and duplicate keys; null (reported) when not a mapping. */
    private Fields fields(Node node, String path, Set<String> known) {
        if (!(node instanceof MappingNode mapping)) {
            problem(node, path.isEmpty() ? "" : path, "expected a mapping of "
                    + String.join(", ", known.stream().sorted().toList()) + "; found " + kind(node));
            return null;
        }
        Map<String, NodeTuple> fields = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            String key = keyNode instanceof ScalarNode s ? s.getValue() : null;
            String keyPath = path.isEmpty() ? String.valueOf(key) : path + "." + key;
            if (key == null || !known.contains(key)) {
                problem(keyNode, keyPath, "unknown key " + (key == null ? "(not a string)" : "\"" + key + "\"")
                        + "; known keys here: " + String.join(", ", known.stream().sorted().toList()));
            } else if (fields.containsKey(key)) {
                problem(keyNode, keyPath, "\"" + key + "\" is given twice (first at line "
                        + (fields.get(key).getKeyNode().getStartMark().getLine() + 1) + ")");
            } else {
                fields.put(key, tuple);
            }
        }
        return new Fields(mapping, fields);
    }

    private Optional<String> string(Fields fields, String parent, String key, boolean required) {
        String path = parent.isEmpty() ? key : parent + "." + key;
        NodeTuple tuple = fields.get(key);
        if (tuple == null || isNull(tuple.getValueNode())) {
            if (required) {
                problem(tuple != null ? tuple.getValueNode() : fields.node(), path, "is required");
            }
            return Optional.empty();
        }
        Node value = tuple.getValueNode();
        if (!(value instanceof ScalarNode scalar)) {
            problem(value, path, "expected a single value, found " + kind(value));
            return Optional.empty();
        }
        if (!plainTag(value)) {
            problem(value, path, "tags such as " + value.getTag().getValue() + " are not allowed here");
            return Optional.empty();
        }
        if (scalar.getValue().isBlank()) {
            if (required) {
                problem(value, path, "must not be empty");
            }
            return Optional.empty();
        }
        return Optional.of(scalar.getValue());
    }

    private int port(String digits, Node at) {
        int port = Integer.parseInt(digits);
        if (port > 65535) {
            problem(at, "listen", "port " + port + " is above 65535");
        }
        return port;
    }

    private Optional<URI> url(String text, Node at, String path) {
        try {
            URI uri = new URI(text.trim());
            new Member("x", uri);
            return Optional.of(uri);
        } catch (URISyntaxException | IllegalArgumentException e) {
            problem(at, path, "\"" + text + "\" is not an http(s) base URL such as http://10.0.0.5:7420");
            return Optional.empty();
        }
    }

    private Optional<Duration> duration(String text, Node at, String path) {
        return duration(text, at, path, InstanceConfig.MIN_HEARTBEAT_INTERVAL, InstanceConfig.MAX_HEARTBEAT_INTERVAL,
                "10ms..1m");
    }

    private Optional<Duration> duration(String text, Node at, String path, Duration min, Duration max, String range) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            problem(at, path, "\"" + text + "\" is not a duration (use e.g. 500ms, 2s, 1m)");
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            problem(at, path, text + " is outside " + range);
            return Optional.empty();
        }
        return Optional.of(d);
    }

    private Optional<Integer> integer(String text, Node at, String path, int min, int max) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= min && n <= max) {
                return Optional.of(n);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problem(at, path, "\"" + text + "\" is not a whole number in " + min + ".." + max);
        return Optional.empty();
    }

    private Optional<Double> epsilon(String text, Node at) {
        try {
            double e = Double.parseDouble(text.trim());
            if (e > 0 && e <= 10) {
                return Optional.of(e);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problem(at, "cluster.ownershipEpsilon", "\"" + text + "\" is not a number in (0, 10], e.g. 0.25");
        return Optional.empty();
    }

    private boolean check(Runnable validation, String path, Node at) {
        try {
            validation.run();
            return true;
        } catch (IllegalArgumentException e) {
            problem(at, path, e.getMessage());
            return false;
        }
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    /** Only the tags the resolver gives plain scalars; an explicit {@code !tag} is refused. */
    private static boolean plainTag(Node node) {
        Tag tag = node.getTag();
        return Tag.STR.equals(tag) || Tag.INT.equals(tag) || Tag.FLOAT.equals(tag) || Tag.BOOL.equals(tag)
                || Tag.TIMESTAMP.equals(tag);
    }

    private static String kind(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (isNull(node)) {
            return "nothing";
        }
        return node instanceof ScalarNode s ? "\"" + s.getValue() + "\"" : "something else";
    }

    /** The value at a dotted path ({@code auth.tokenFile}), or the nearest mapping above it that is there. */
    private Node nodeAt(String path) {
        Node at = root;
        for (String key : path.split("\\.")) {
            if (!(at instanceof MappingNode mapping)) {
                return at;
            }
            Node next = null;
            for (NodeTuple t : mapping.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    next = t.getValueNode();
                }
            }
            if (next == null) {
                return at;
            }
            at = next;
        }
        return at;
    }

    private void problem(Node at, String path, String message) {
        Mark mark = (at != null ? at : root).getStartMark();
        problems.add(new Problem(file, mark.getLine() + 1, mark.getColumn() + 1, "", path, message));
    }
}
