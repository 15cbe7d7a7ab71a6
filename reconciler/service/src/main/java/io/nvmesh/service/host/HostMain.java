package io.nvmesh.service.host;

import io.nvmesh.service.agent.AgentCodec;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.ProtocolException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code HostMain --config FILE [--dry-run [--orders FILE] [--wait 30s]] [--emulate-configfs]}: the node agent of a
 * real Linux host ({@code nvmesh agent}). Live, it runs until SIGTERM and leaves the data path as it is when it
 * stops. With {@code --dry-run} it prints the operations it would perform for the current orders and performs none:
 * the orders come from {@code --orders} (a command message as on the wire) or, without it, from the node's owner,
 * whose command is then refused ({@code dry run: nothing applied}) so nothing is recorded as served.
 */
public final class HostMain {

    static final int OK = 0;
    static final int INPUT = 1;
    static final int USAGE = 2;
    static final int INTERNAL = 3;
    static final String TOKEN_ENV = "NVMESH_AGENT_TOKEN";

    private HostMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(out, err, System.getenv(TOKEN_ENV), new ProcessRunner(Duration.ofSeconds(60)), args);
        if (code >= 0) {
            System.exit(code);
        }
        CountDownLatch forever = new CountDownLatch(1);
        forever.await(); // live: the shutdown hook stops the agent
    }

    static String usage() {
        return "usage: nvmesh agent --config FILE [--dry-run [--orders FILE] [--wait 30s]] [--emulate-configfs] "
                + "[--stacktrace]";
    }

    /**
     * Runs the agent: a dry run returns its exit code; a live run returns -1 once the agents are started (they stop
     * on a shutdown hook).
     */
    static int run(PrintWriter out, PrintWriter err, String tokenFromEnv, CommandRunner runner, String... args) {
        Path config = null;
        boolean dryRun = false;
        boolean emulate = false;
        boolean stacktrace = false;
        Path orders = null;
        Duration wait = Duration.ofSeconds(30);
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--dry-run" -> dryRun = true;
                    case "--emulate-configfs" -> emulate = true;
                    case "--stacktrace" -> stacktrace = true;
                    case "--config", "--orders", "--wait" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(a + " needs a value");
                        }
                        String v = args[++i];
                        if (a.equals("--config")) {
                            config = Path.of(v);
                        } else if (a.equals("--orders")) {
                            orders = Path.of(v);
                        } else {
                            wait = parseWait(v);
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (config == null) {
                throw new IllegalArgumentException("--config FILE is required");
            }
            if (orders != null && !dryRun) {
                throw new IllegalArgumentException("--orders is for --dry-run (live orders come from the reconcilers)");
            }
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(usage());
            err.flush();
            return USAGE;
        }
        try {
            HostAgentConfig cfg = HostAgentConfig.load(config);
            Configfs configfs = emulate ? Configfs.emulated(cfg.roots().nvmet()) : Configfs.kernel(cfg.roots().nvmet());
            if (dryRun && orders != null) {
                return planOrders(out, cfg, configfs, runner, orders);
            }
            String token = token(cfg, tokenFromEnv);
            if (dryRun) {
                return planLive(out, err, cfg, configfs, runner, token, wait);
            }
            startLive(out, cfg, configfs, runner, token);
            return -1;
        } catch (HostAgentConfig.InvalidHostConfig e) {
            err.println(e.getMessage());
            err.flush();
            return INPUT;
        } catch (IllegalArgumentException | IllegalStateException | HostExecutor.OpFailed e) {
            err.println("error: " + e.getMessage());
            if (stacktrace) {
                e.printStackTrace(err);
            }
            err.flush();
            return INPUT;
        } catch (RuntimeException e) {
            err.println("internal error: " + e);
            if (stacktrace) {
                e.printStackTrace(err);
            }
            err.flush();
            return INTERNAL;
        }
    }

    private static int planOrders(PrintWriter out, HostAgentConfig cfg, Configfs configfs, CommandRunner runner,
                                  Path orders) {
        AgentMessage.Command command;
        try {
            AgentMessage m = AgentCodec.decode(Files.readString(orders, StandardCharsets.UTF_8));
            if (!(m instanceof AgentMessage.Command c)) {
                throw new IllegalArgumentException(orders + ": a command message is expected, not a "
                        + m.getClass().getSimpleName().toLowerCase(Locale.ROOT));
            }
            command = c;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + orders + ": " + e.getClass().getSimpleName());
        } catch (ProtocolException e) {
            throw new IllegalArgumentException(orders + ": " + e.getMessage());
        }
        HostAgent host = HostAgent.prepare(cfg, runner, configfs, null);
        try {
            NodeKind kind = !command.attachments().isEmpty() ? NodeKind.CLIENT
                    : host.roles().contains(NodeKind.TARGET) ? NodeKind.TARGET : NodeKind.CLIENT;
            if (!host.roles().contains(kind)) {
                throw new IllegalArgumentException(orders + ": orders for a " + kind.keySpace() + ", but this host's "
                        + "role is " + host.roles().get(0).keySpace());
            }
            printHeader(out, cfg, host);
            ClientBackend.Plan plan = host.node(kind).plan(command);
            printPlan(out, kind, command, plan.ops(), plan.refused());
            out.flush();
            return OK;
        } finally {
            host.close();
        }
    }

    private static int planLive(PrintWriter out, PrintWriter err, HostAgentConfig cfg, Configfs configfs,
                                CommandRunner runner, String token, Duration wait) {
        Map<NodeKind, List<HostOp>> plans = new EnumMap<>(NodeKind.class);
        Map<NodeKind, Map<String, String>> refusals = new EnumMap<>(NodeKind.class);
        Map<NodeKind, AgentMessage.Command> commands = new EnumMap<>(NodeKind.class);
        CountDownLatch done = new CountDownLatch(cfg.target() && cfg.client() ? 2 : 1);
        HostAgent host = HostAgent.prepare(cfg, runner, configfs, (kind, command, ops, refused) -> {
            synchronized (plans) {
                if (!plans.containsKey(kind)) {
                    plans.put(kind, ops);
                    refusals.put(kind, refused);
                    commands.put(kind, command);
                    done.countDown();
                }
            }
        });
        try (AgentRuntime runtime = AgentRuntime.start("host")) {
            host.connect(cfg, token, runtime);
            boolean all = done.await(wait.toMillis(), TimeUnit.MILLISECONDS);
            printHeader(out, cfg, host);
            synchronized (plans) {
                plans.forEach((kind, ops) -> printPlan(out, kind, commands.get(kind), ops, refusals.get(kind)));
            }
            out.flush();
            if (!all) {
                err.println("error: no orders from the reconcilers within " + wait.toSeconds() + " s ("
                        + host.statuses() + ")");
                err.flush();
                return INPUT;
            }
            return OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return INTERNAL;
        } finally {
            host.close();
        }
    }

    private static void startLive(PrintWriter out, HostAgentConfig cfg, Configfs configfs, CommandRunner runner,
                                  String token) {
        HostAgent host = HostAgent.prepare(cfg, runner, configfs, null);
        AgentRuntime runtime = AgentRuntime.start("host");
        host.connect(cfg, token, runtime);
        out.println("agent " + cfg.nodeId() + " (" + String.join(", ", host.roles().stream().map(NodeKind::keySpace)
                .toList()) + "): " + host.drives().size() + " drives, dialling " + cfg.connect());
        out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            host.close(); // the data path stays as it is
            runtime.close();
        }, "nvmesh-agent-stop"));
    }

    private static void printHeader(PrintWriter out, HostAgentConfig cfg, HostAgent host) {
        out.println("# nvmesh agent --dry-run: node " + cfg.nodeId() + ", role " + (cfg.target() && cfg.client()
                ? "both" : cfg.target() ? "target" : "client") + "; nothing below has been performed");
        if (cfg.target()) {
            out.println("# drives:");
            for (HostDrive d : host.drives()) {
                out.println("#   " + d.serial() + " " + d.block() + " " + d.devNumber() + " " + d.drive().capacity()
                        + " bytes " + d.drive().health().name().toLowerCase(Locale.ROOT) + " " + d.drive().labels()
                        + (d.why().isEmpty() ? "" : " (" + d.why() + ")"));
            }
        }
    }

    private static void printPlan(PrintWriter out, NodeKind kind, AgentMessage.Command command, List<HostOp> ops,
                                  Map<String, String> refused) {
        long teardown = ops.stream().filter(HostOp::teardown).count();
        out.println("# " + kind.keySpace() + " orders: command " + command.seq() + ", " + (kind == NodeKind.TARGET
                ? command.segments().size() + " segments" : command.attachments().size() + " attachments") + "; "
                + ops.size() + " operations, " + teardown + " teardown");
        refused.values().forEach(why -> out.println("# refused: " + why));
        ops.forEach(op -> out.println(op.render()));
    }

    private static String token(HostAgentConfig cfg, String fromEnv) {
        if (cfg.tokenFile() != null) {
            try {
                String t = Files.readString(cfg.tokenFile(), StandardCharsets.UTF_8).strip();
                if (!t.isEmpty()) {
                    return t;
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read tokenFile " + cfg.tokenFile() + ": "
                        + e.getClass().getSimpleName());
            }
        }
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.strip();
        }
        throw new IllegalArgumentException("the agent credential is required: tokenFile in the configuration or "
                + TOKEN_ENV + " (nvmesh token create --role agent --name " + cfg.nodeId() + " --token-file FILE)");
    }

    private static Duration parseWait(String v) {
        if (!v.matches("\\d{1,6}s")) {
            throw new IllegalArgumentException("--wait takes seconds, such as 30s");
        }
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
    }
}
