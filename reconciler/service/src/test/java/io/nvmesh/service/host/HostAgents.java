package io.nvmesh.service.host;

import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.agent.AgentStatus;
import io.nvmesh.service.agent.NodeKind;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A host agent on a fixture host, for tests outside this package that run it against real reconcilers: its
 * configuration is written as an administrator would write it, its tools are {@link FakeHostTools}, its configfs tree
 * is a folder. Exposes what those tests check: the ops it performed, its trees, its connection.
 */
public final class HostAgents implements AutoCloseable {

    /** What a drive about to fail says. */
    public static final String CRITICAL_SMART = "{\"critical_warning\":4,\"temperature\":323,\"avail_spare\":100,"
            + "\"spare_thresh\":10,\"percent_used\":9,\"media_errors\":1289}";

    private final HostFixture fixture;
    private final FakeHostTools tools;
    private final HostAgent agent;

    private HostAgents(HostFixture fixture, FakeHostTools tools, HostAgent agent) {
        this.fixture = fixture;
        this.tools = tools;
        this.agent = agent;
    }

    /** A storage target listening (nominally) on {@code traddr:4420}, its drives' serials tagged with its id. */
    public static HostAgents target(Path root, String id, String traddr, List<URI> connect, String token,
                                    AgentRuntime runtime) {
        HostFixture f = HostFixture.standard(root, "-" + id);
        String yaml = "nodeId: " + id + "\nrole: target\nconnect: [" + join(connect) + "]\n"
                + "labels: {rack: rack-" + id + "}\npollInterval: 200ms\n"
                + "target:\n  listen: " + traddr + ":4420\n  allowedHosts: [" + HostFixture.HOST_NQN + "]\n";
        return start(f, yaml, Map.of(), token, runtime);
    }

    /** A client reaching each target at the address of {@code targets} (id → traddr), whose trees {@code fabric}. */
    public static HostAgents client(Path root, String id, Map<String, String> targets, Map<String, Path> fabric,
                                    List<URI> connect, String token, AgentRuntime runtime) {
        HostFixture f = HostFixture.standard(root, "-" + id);
        String yaml = "nodeId: " + id + "\nrole: client\nconnect: [" + join(connect) + "]\npollInterval: 200ms\n"
                + "client:\n  deviceWait: 5s\n  targets: {" + targets.entrySet().stream().map(e -> e.getKey() + ": "
                + e.getValue() + ":4420").collect(Collectors.joining(", ")) + "}\n";
        return start(f, yaml, fabric, token, runtime);
    }

    private static HostAgents start(HostFixture f, String yaml, Map<String, Path> fabric, String token,
                                    AgentRuntime runtime) {
        String paths = "paths:\n  sys: sys\n  nvmet: sys/kernel/config/nvmet\n  dev: dev\n  etc: etc\n";
        HostAgentConfig config = HostAgentConfig.parse(yaml + paths, "agent.yaml", f.root);
        FakeHostTools tools = new FakeHostTools(f, fabric);
        HostAgent agent = HostAgent.prepare(config, tools, Configfs.emulated(config.roots().nvmet()), null);
        return new HostAgents(f, tools, agent.connect(config, token, runtime));
    }

    private static String join(List<URI> urls) {
        return urls.stream().map(URI::toString).collect(Collectors.joining(", "));
    }

    /** Every op performed, rendered, in order. */
    public List<String> history() {
        return agent.history().stream().map(HostOp::render).toList();
    }

    /** The ops performed that tore something down, rendered. */
    public List<String> teardowns() {
        return agent.history().stream().filter(HostOp::teardown).map(HostOp::render).toList();
    }

    /** Every command line that changed something (dmsetup, nvme, mdadm), in order. */
    public List<String> commandLines() {
        return tools.changes();
    }

    public Path nvmet() {
        return fixture.roots().nvmet();
    }

    public Path dev() {
        return fixture.roots().dev();
    }

    /** The controller whose namespace holds {@code serial} ({@code nvme0}), for {@link #smartLog}. */
    public String controllerOf(String serial) {
        return agent.drives().stream().filter(d -> d.serial().equals(serial)).findFirst().orElseThrow()
                .controller();
    }

    public List<String> serials() {
        return agent.drives().stream().map(HostDrive::serial).toList();
    }

    /** What {@code nvme smart-log} says for a controller from now on; the next poll reads it. */
    public void smartLog(String controller, String json) {
        tools.smartLog(controller, json);
    }

    public boolean connected() {
        return agent.statuses().values().stream().allMatch(AgentStatus::connected);
    }

    public AgentStatus status() {
        return agent.statuses().values().iterator().next();
    }

    public boolean isTarget() {
        return agent.roles().contains(NodeKind.TARGET);
    }

    @Override
    public void close() {
        agent.close();
    }
}
