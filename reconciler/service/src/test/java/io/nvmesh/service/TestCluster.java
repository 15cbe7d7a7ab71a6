package io.nvmesh.service;

import io.nvmesh.core.certs.CertificateAuthority;
import io.nvmesh.core.certs.CertificateName;
import io.nvmesh.core.certs.PemFiles;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.core.testing.TestPorts;
import io.nvmesh.service.agent.AgentTls;
import io.nvmesh.service.agent.AgentStatus;
import io.nvmesh.service.cluster.Member;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.config.TlsConfig;
import io.nvmesh.service.sim.SimulatedFleet;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * N reconciler instances in this JVM on loopback ({@link ClusterExtension} runs one for a test class, with a
 * repository and a fleet). Ports are picked free up front (bind port 0, note it, release it)
 * because every instance must know its peers' URLs before it starts, and a restarted instance comes back at the same
 * URL, as it would in production. Public for the adversarial tests of {@code io.nvmesh.service.trust}.
 */
public final class TestCluster implements AutoCloseable {

    static final String ADMIN = TestAuth.ADMIN;
    static final String READ = TestAuth.READ;
    static final String AGENT = TestAuth.AGENT;

    private final Map<String, InstanceConfig> configs = new LinkedHashMap<>();
    private final Map<String, ReconcilerNode> running = new LinkedHashMap<>();
    private String scheme = "http";
    private Path pki;

    public TestCluster(int size, Duration interval, int missed, Path dataDir) {
        this(size, interval, missed, dataDir, "", Duration.ofSeconds(2));
    }

    /** With a reconcile loop on every instance: {@code gitRemote} polled every {@code poll}. */
    TestCluster(int size, Duration interval, int missed, Path dataDir, String gitRemote, Duration poll) {
        Map<String, URI> urls = new LinkedHashMap<>();
        java.util.Iterator<Integer> ports = TestPorts.next(size).iterator();
        for (int i = 1; i <= size; i++) {
            urls.put("r" + i, URI.create("http://127.0.0.1:" + ports.next()));
        }
        urls.forEach((id, url) -> {
            List<Member> peers = new ArrayList<>();
            urls.forEach((other, otherUrl) -> {
                if (!other.equals(id)) {
                    peers.add(new Member(other, otherUrl));
                }
            });
            configs.put(id, InstanceConfig.defaults(id, dataDir.resolve(id))
                    .withListen("127.0.0.1", url.getPort()).withAuth(TestAuth.of(id, urls.keySet())).withPeers(peers)
                    .withHeartbeat(interval, missed).withGit(gitRemote, "main", poll));
        });
    }

    /**
     * Every instance serves TLS only, with a certificate from the CA in {@code pki} (made there if absent), asks for
     * client certificates ({@code clientAuth: want}: readers may use tokens) and presents its own to its peers (mTLS).
     * Call before {@link #startAll}; agents get theirs from {@link #agentTls}.
     */
    public TestCluster withTls(Path pki) throws java.io.IOException {
        this.pki = pki;
        this.scheme = "https";
        java.nio.file.Files.createDirectories(pki);
        CertificateAuthority ca = java.nio.file.Files.exists(pki.resolve(CertificateAuthority.CA_FILE))
                ? CertificateAuthority.load(pki) : CertificateAuthority.createIn(pki, "test", Duration.ofDays(30));
        for (String id : List.copyOf(configs.keySet())) {
            ca.issue(new CertificateName(Role.INSTANCE, id, List.of()), List.of("127.0.0.1"), Duration.ofDays(1))
                    .write(pki, id);
            InstanceConfig c = configs.get(id);
            List<Member> peers = c.peers().stream().map(m -> new Member(m.id(), URI.create(m.url().toString()
                    .replaceFirst("^http:", "https:")))).toList();
            configs.put(id, c.withPeers(peers).withTls(TlsConfig.of(pki.resolve(id + ".pem"),
                    pki.resolve(id + "-key.pem"), java.util.Optional.of(pki.resolve(CertificateAuthority.CA_FILE)))));
        }
        return this;
    }

    /**
     * The fleet's TLS: the cluster's CA, and a certificate per node in {@code pki/agents} (made for the nodes that have
     * none yet), each naming its node under the fleet's credential ({@code fleet}, nodes {@code *}).
     */
    public AgentTls agentTls(List<String> nodes) throws java.io.IOException {
        Path agents = java.nio.file.Files.createDirectories(pki.resolve("agents"));
        CertificateAuthority ca = CertificateAuthority.load(pki);
        for (String node : nodes) {
            if (!java.nio.file.Files.exists(agents.resolve(node + ".pem"))) {
                ca.issue(new CertificateName(Role.AGENT, "fleet", List.of(node)), List.of(), Duration.ofDays(1))
                        .write(agents, node);
            }
        }
        return AgentTls.perNode(pki.resolve(CertificateAuthority.CA_FILE), agents);
    }

    /**
     * Adds {@code n} read credentials, {@code reader-<k>} with token {@link #readerToken}: a benchmark holding
     * thousands of event streams stays under the streams one credential may hold on an instance (32).
     */
    public TestCluster withReaders(int n) {
        for (String id : List.copyOf(configs.keySet())) {
            InstanceConfig c = configs.get(id);
            io.nvmesh.service.config.AuthConfig auth = c.auth();
            for (int k = 0; k < n; k++) {
                auth = auth.with(io.nvmesh.core.credentials.Credential.ofToken("reader-" + k, Role.READ, List.of(),
                        readerToken(k)));
            }
            configs.put(id, c.withAuth(auth));
        }
        return this;
    }

    /**
     * Every instance takes {@code n} open connections from one address (the default 2,000 is per source; a benchmark's
     * thousands of streams all come from loopback).
     */
    public TestCluster withConnectionsPerSource(int n) {
        for (String id : List.copyOf(configs.keySet())) {
            InstanceConfig c = configs.get(id);
            io.nvmesh.service.config.LimitsConfig l = c.limits();
            configs.put(id, c.withLimits(new io.nvmesh.service.config.LimitsConfig(l.authFailures(),
                    l.authFailureWindow(), l.authLockout(), l.expensivePerSecond(), l.expensiveBurst(), n)));
        }
        return this;
    }

    public static String readerToken(int k) {
        return String.format("reader-token-%06d-000000", k);
    }

    /** A client context trusting the cluster's CA (none without TLS: the JVM's). */
    public javax.net.ssl.SSLContext clientContext() throws java.security.GeneralSecurityException {
        return pki == null ? javax.net.ssl.SSLContext.getDefault() : PemFiles.clientContext(
                java.util.Optional.of(pki.resolve(CertificateAuthority.CA_FILE)), java.util.Optional.empty(),
                java.util.Optional.empty());
    }

    public TestCluster startAll() {
        configs.keySet().forEach(this::start);
        return this;
    }

    public ReconcilerNode start(String id) {
        ReconcilerNode node = ReconcilerNode.start(configs.get(id));
        synchronized (running) { // instances may be started from several threads at once
            running.put(id, node);
        }
        return node;
    }

    /** Stops an instance without a word to its peers: they learn of it only from the silence. */
    public void kill(String id) {
        running.remove(id).close();
    }

    public ReconcilerNode node(String id) {
        return running.get(id);
    }

    public List<ReconcilerNode> running() {
        return List.copyOf(running.values());
    }

    /** Base URLs of every configured instance, running or not. */
    public List<URI> urls() {
        return configs.values().stream().map(c -> URI.create(scheme + "://" + c.listenHost() + ":"
                + c.listenPort())).toList();
    }

    public URI url(String id) {
        InstanceConfig c = configs.get(id);
        return URI.create(scheme + "://" + c.listenHost() + ":" + c.listenPort());
    }

    public List<String> ids() {
        return List.copyOf(configs.keySet());
    }

    /** Whether every running instance sees every member alive. */
    public boolean allSeeEachOther() {
        return running().stream().allMatch(n -> n.view().members().stream().allMatch(m -> m.alive()));
    }

    /**
     * Whether every running instance names the same owner for each of the fleet's nodes and the node's agent is
     * connected there (an agent that dialled an instance before all were alive may still be moving).
     */
    boolean nodesHeldByTheirOwners(SimulatedFleet fleet) {
        Map<String, AgentStatus> statuses = fleet.statuses();
        for (Map.Entry<String, AgentStatus> node : statuses.entrySet()) {
            String key = (fleet.targetIds().contains(node.getKey()) ? "target/" : "client/") + node.getKey();
            if (node.getValue().state() != AgentStatus.State.CONNECTED || running().stream().anyMatch(n ->
                    !n.ownership().current().ownerOrPreferred(key).equals(node.getValue().owner()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Closes what a test opened, in the order given, skipping what was never opened (null): a fleet before its agent
     * runtime before the cluster before the store. Every part is closed even if one fails; the first failure is thrown.
     */
    public static void closeAll(AutoCloseable... parts) {
        RuntimeException first = null;
        for (AutoCloseable part : parts) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void close() {
        running.values().forEach(ReconcilerNode::close);
        running.clear();
    }
}
