package io.nvmesh.service.sim;

import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.inventory.InventoryFile;
import io.nvmesh.schema.Problem;
import io.nvmesh.service.agent.AgentTls;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * {@code SimMain --targets 48 --drives 8 --clients 32 --seed 1 --connect URL[,URL...] --agent-tokens FILE --control
 * 127.0.0.1:0}: runs a simulated fleet against real instances and a loopback control to inject faults. Each
 * simulated node presents its own agent token, read from a file of {@code node-id token} lines ({@code nvmesh demo}
 * writes one); or every node presents one token ({@code --agent-token}, or {@code NVMESH_AGENT_TOKEN} so that it
 * need not show in the process list), whose credential must then speak for every node ({@code nodes: ["*"]}).
 * Over TLS ({@code https} URLs), {@code --cacert FILE} names the CA bundle the instances' certificates chain to, and
 * each node presents a client certificate: its own from {@code --agent-certs DIR} ({@code <node-id>.pem} and {@code
 * <node-id>-key.pem}, as {@code nvmesh certs issue --agent <node-id>} and {@code nvmesh demo} write them), or one for
 * every node ({@code --cert FILE --key FILE}, naming every node). With certificates, tokens are optional: a node's
 * certificate says who it is. The files are read again when they change.
 * The control's bearer token comes from {@code --control-token} or {@code NVMESH_SIM_CONTROL_TOKEN}; without either,
 * a random one is made and printed as {@code control-token <token>}. Prints {@code control http://...} once ready;
 * stops on SIGTERM.
 */
public final class SimMain {

    /** Exit code for bad arguments. */
    static final int USAGE = 2;
    /** Where the control's token may come from instead of {@code --control-token} (which {@code ps} shows). */
    static final String CONTROL_TOKEN_ENV = "NVMESH_SIM_CONTROL_TOKEN";

    private static final SecureRandom RANDOM = new SecureRandom();

    private SimMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        Running running;
        try {
            running = start(out, System.getenv("NVMESH_AGENT_TOKEN"), args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(usage());
            System.exit(USAGE);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            stopped.countDown();
        }, "nvmesh-sim-stop"));
        stopped.await();
    }

    static String usage() {
        return "usage: SimMain --connect URL[,URL...] [--targets 48] [--drives 8] [--clients 32] [--seed 1] "
                + "[--inventory FILE] [--agent-tokens FILE | --agent-token T | env NVMESH_AGENT_TOKEN] "
                + "[--cacert FILE] [--agent-certs DIR | --cert FILE --key FILE] "
                + "[--control 127.0.0.1:0] [--control-token T | env " + CONTROL_TOKEN_ENV + "] [--ack-delay-ms 200]";
    }

    /** A started fleet and its control. */
    record Running(SimulatedFleet fleet, SimControl control) implements AutoCloseable {
        @Override
        public void close() {
            control.close();
            fleet.close();
        }
    }

    /** Parses, connects the fleet, starts the control and says where it is. */
    static Running start(PrintWriter out, String tokenFromEnv, String... args) {
        int targets = 48;
        int drives = 8;
        int clients = 32;
        long seed = 1;
        List<URI> connect = new ArrayList<>();
        String token = tokenFromEnv;
        String tokensFile = null;
        String control = "127.0.0.1:0";
        String inventory = null;
        int ackDelayMillis = 200;
        String controlToken = System.getenv(CONTROL_TOKEN_ENV);
        java.util.Optional<Path> cacert = java.util.Optional.empty();
        java.util.Optional<Path> cert = java.util.Optional.empty();
        java.util.Optional<Path> key = java.util.Optional.empty();
        java.util.Optional<Path> certDir = java.util.Optional.empty();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--targets" -> targets = number(a, v);
                case "--drives" -> drives = number(a, v);
                case "--clients" -> clients = number(a, v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--connect" -> {
                    for (String u : v.split(",")) {
                        URI uri = URI.create(u.trim());
                        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                            throw new IllegalArgumentException("--connect takes http(s) base URLs, got " + u);
                        }
                        connect.add(uri);
                    }
                }
                case "--agent-token" -> token = v;
                case "--agent-tokens" -> tokensFile = v;
                case "--control" -> control = v;
                case "--control-token" -> controlToken = v;
                case "--inventory" -> inventory = v;
                case "--ack-delay-ms" -> ackDelayMillis = number(a, v);
                case "--cacert" -> cacert = java.util.Optional.of(readable(a, v));
                case "--cert" -> cert = java.util.Optional.of(readable(a, v));
                case "--key" -> key = java.util.Optional.of(readable(a, v));
                case "--agent-certs" -> certDir = java.util.Optional.of(Path.of(v));
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (connect.isEmpty()) {
            throw new IllegalArgumentException("--connect is required");
        }
        AgentTls tls = new AgentTls(cacert, cert, key, certDir);
        boolean certificates = cert.isPresent() || certDir.isPresent();
        java.util.function.Function<String, String> tokenOf;
        if (tokensFile != null) {
            java.util.Map<String, String> tokens = readTokens(tokensFile);
            tokenOf = certificates ? node -> tokens.getOrDefault(node, "") : tokens::get;
        } else if (token != null && !token.isBlank()) {
            String one = token;
            tokenOf = node -> one;
        } else if (certificates) {
            tokenOf = node -> "";
        } else {
            throw new IllegalArgumentException("agent credentials are required (--agent-certs DIR, --cert and --key, "
                    + "--agent-tokens FILE, --agent-token or NVMESH_AGENT_TOKEN)");
        }
        int colon = control.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("--control is host:port, got " + control);
        }
        String host = control.substring(0, colon).replace("[", "").replace("]", "");
        int port = number("--control port", control.substring(colon + 1));
        SimulatedFleet fleet = inventory == null
                ? SimulatedFleet.create(new SimulatedFleet.Spec(targets, drives, clients, seed))
                : SimulatedFleet.of(readInventory(inventory), seed);
        fleet.ackDelay(java.time.Duration.ofMillis(ackDelayMillis));
        boolean madeToken = controlToken == null || controlToken.isBlank();
        if (madeToken) {
            controlToken = randomToken();
        }
        List<String> ids = new ArrayList<>(fleet.targetIds());
        ids.addAll(fleet.clientIds());
        for (String id : ids) {
            requireToken(tokenOf, id);
            if (certDir.isPresent() && cert.isEmpty() && !Files.isRegularFile(certDir.get().resolve(id + ".pem"))) {
                throw new IllegalArgumentException("--agent-certs " + certDir.get() + " has no certificate for node "
                        + id + " (" + id + ".pem and " + id + "-key.pem; nvmesh certs issue --agent " + id + ")");
            }
        }
        SimControl ctl = SimControl.start(host, port, fleet, controlToken);
        try {
            fleet.connect(connect, tls, tokenOf);
        } catch (RuntimeException e) {
            ctl.close();
            throw e;
        }
        if (inventory == null) {
            out.println("fleet " + targets + " targets x " + drives + " drives, " + clients + " clients, seed " + seed);
        } else {
            Inventory shape = fleet.inventory();
            out.println("fleet " + shape.targets().size() + " targets, " + shape.targets().stream()
                    .mapToInt(t -> t.drives().size()).sum() + " drives, " + shape.clients().size() + " clients from "
                    + inventory + ", seed " + seed);
        }
        out.println("control " + ctl.url());
        if (madeToken) {
            // Only a token made here is printed: one the caller chose it knows already, and logs need not hold it.
            out.println("control-token " + controlToken);
        }
        out.flush();
        return new Running(fleet, ctl);
    }

    /** 32 URL-safe characters (192 random bits). */
    static String randomToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void requireToken(java.util.function.Function<String, String> tokenOf, String node) {
        if (tokenOf.apply(node) == null) {
            throw new IllegalArgumentException("the agent tokens file has no token for node " + node);
        }
    }

    /** {@code node-id token} per line; blank lines and {@code #} comments are skipped. */
    static java.util.Map<String, String> readTokens(String file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read agent tokens " + file + ": " + e.getClass().getSimpleName());
        }
        java.util.Map<String, String> tokens = new java.util.HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 2) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected `node-id token`");
            }
            tokens.put(parts[0], parts[1]);
        }
        return tokens;
    }

    /** A fleet shaped like an inventory file ({@code samples/inventory/fleet.yaml}), problems as one message. */
    private static Inventory readInventory(String file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --inventory " + file + ": " + e.getMessage());
        }
        InventoryFile.Result r = InventoryFile.parse(file, bytes);
        return r.inventory().orElseThrow(() -> new IllegalArgumentException("--inventory " + file + ": "
                + r.problems().stream().map(Problem::render).collect(Collectors.joining("; "))));
    }

    private static Path readable(String option, String v) {
        Path p = Path.of(v);
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException(option + " " + v + ": no such file, or not readable");
        }
        return p;
    }

    private static int number(String option, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, got " + v);
        }
    }
}
