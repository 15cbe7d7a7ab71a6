package io.nvmesh.service;

import static org.awaitility.Awaitility.await;

import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.TestRepo;
import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.sim.SimulatedFleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A running cluster for tests, as java-operator-sdk's test extension runs an operator: {@code n} real instances on
 * loopback ({@link TestCluster}), with {@link #reconciling} a bare desired repository they all reconcile, with
 * {@link #fleet} a simulated fleet whose agents dial them. Registered on a static field it lives for the test class,
 * on an instance field for each test; either way everything is closed after (fleet, agents, instances, the store, the
 * folder), whatever failed, and the instances see each other before the first test runs.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ClusterExtension cluster = ClusterExtension.of(3).reconciling(Duration.ofMillis(300))
 *         .desired(repo -> repo.desired().policy(Policies.MIRROR).volume("v1", "10GiB").commit())
 *         .fleet(new SimulatedFleet.Spec(6, 2, 3, 5));
 * }</pre>
 */
public final class ClusterExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {

    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final int size;
    private Duration interval = Duration.ofMillis(100);
    private int missed = 3;
    private Duration poll;
    private Consumer<TestRepo> desired = repo -> { };
    private SimulatedFleet.Spec fleetSpec;

    private boolean perClass;
    private Path dir;
    private StateStore store;
    private TestCluster cluster;
    private AgentRuntime runtime;
    private SimulatedFleet fleet;

    private ClusterExtension(int size) {
        this.size = size;
    }

    /** {@code size} instances {@code r1 ... rN}, heartbeat every 100 ms, silent after 3 missed. */
    public static ClusterExtension of(int size) {
        return new ClusterExtension(size);
    }

    public ClusterExtension heartbeat(Duration interval, int missed) {
        this.interval = interval;
        this.missed = missed;
        return this;
    }

    /** Every instance reconciles one bare repository, polling it every {@code poll}. */
    public ClusterExtension reconciling(Duration poll) {
        this.poll = poll;
        return this;
    }

    /** Desired commits made before the instances start (needs {@link #reconciling}). */
    public ClusterExtension desired(Consumer<TestRepo> commits) {
        this.desired = commits;
        return this;
    }

    /** A simulated fleet of {@code spec}, its agents connected to every instance with the fleet's token. */
    public ClusterExtension fleet(SimulatedFleet.Spec spec) {
        this.fleetSpec = spec;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            close();
        }
    }

    private void start() {
        try {
            dir = Files.createTempDirectory("nvmesh-cluster-");
            String remote = "";
            if (poll != null) {
                Path repo = dir.resolve("state.git");
                try (StateStore seed = StateStore.openOrCreate(repo)) {
                    desired.accept(TestRepo.of(seed));
                }
                remote = repo.toString();
            }
            cluster = new TestCluster(size, interval, missed, dir, remote,
                    poll == null ? Duration.ofSeconds(2) : poll).startAll();
            await().atMost(STARTUP).until(cluster::allSeeEachOther);
            if (fleetSpec != null) {
                runtime = AgentRuntime.start("test");
                fleet = SimulatedFleet.create(fleetSpec);
                fleet.connect(runtime, cluster.urls(), TestAuth.AGENT);
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void close() {
        try {
            TestCluster.closeAll(fleet, runtime, cluster, store);
        } finally {
            fleet = null;
            runtime = null;
            cluster = null;
            store = null;
            delete(dir);
            dir = null;
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is not the test's failure
        }
    }

    public TestCluster cluster() {
        return cluster;
    }

    /** The desired repository every instance reconciles (with {@link #reconciling}). */
    public Path repository() {
        return dir.resolve("state.git");
    }

    /** The desired repository opened in this JVM (on first use; closed with the rest). */
    public synchronized StateStore store() {
        if (store == null) {
            store = StateStore.openOrCreate(repository());
        }
        return store;
    }

    public TestRepo repo() {
        return TestRepo.of(store());
    }

    public SimulatedFleet fleet() {
        return fleet;
    }

    public ReconcilerNode node(String id) {
        return cluster.node(id);
    }

    public List<ReconcilerNode> nodes() {
        return cluster.running();
    }

    /** The base URL of instance {@code id}, as a command line takes it. */
    public String url(String id) {
        return cluster.url(id).toString();
    }

    /** The ids of every configured instance, running or not. */
    public List<String> ids() {
        return cluster.ids();
    }

    /** The base URL of instance {@code id}. */
    public URI uri(String id) {
        return cluster.url(id);
    }

    public List<URI> urls() {
        return cluster.urls();
    }

    /**
     * Whether every running instance names the same owner for each of the {@link #fleet}'s nodes and the node's agent
     * is connected there (an agent that dialled an instance before all were alive may still be moving).
     */
    public boolean nodesHeldByTheirOwners() {
        return cluster.nodesHeldByTheirOwners(fleet);
    }

    /** Stops an instance without a word to its peers. */
    public void kill(String id) {
        cluster.kill(id);
    }

    /** Starts instance {@code id} again (after {@link #kill}), at the same URL and with the same data folder. */
    public ReconcilerNode start(String id) {
        return cluster.start(id);
    }

    /**
     * The agent runtime of the {@link #fleet}, or for a test's own agents one started on first use; closed after
     * them all, before the instances.
     */
    public synchronized AgentRuntime runtime() {
        if (runtime == null) {
            runtime = AgentRuntime.start("test");
        }
        return runtime;
    }
}
