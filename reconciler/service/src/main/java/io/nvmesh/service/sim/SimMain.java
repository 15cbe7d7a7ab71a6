package io.nvmesh.service.sim;

import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.inventory.InventoryFile;
import io.nvmesh.schema.Problem;

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
 * {@code SimMain --targets 48 --drives 8 --clients 32 --seed 1 --connect URL[,URL...] --agent-secret S --control
 * 127.0.0.1:0}: runs a simulated fleet against real instances and a loopback control to inject faults. The agent
 * secret may come from {@code NVMESH_AGENT_SECRET} instead, so it need not show in the process list. The control's
 * bearer token comes from {@code --control-token} or {@code NVMESH_SIM_CONTROL_TOKEN}; without either, a random one is
 * made and printed as {@code control-token <token>}. Prints {@code control http://...} once ready; stops on SIGTERM.
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
            running = start(out, System.getenv("NVMESH_AGENT_SECRET"), args);
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
                + "[--inventory FILE] [--agent-secret S | env NVMESH_AGENT_SECRET] [--control 127.0.0.1:0] "
                + "[--control-token T | env " + CONTROL_TOKEN_ENV + "] [--ack-delay-ms 200]";
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
    static Running start(PrintWriter out, String secretFromEnv, String... args) {
        int targets = 48;
        int drives = 8;
        int clients = 32;
        long seed = 1;
        List<URI> connect = new ArrayList<>();
        String secret = secretFromEnv;
        String control = "127.0.0.1:0";
        String inventory = null;
        int ackDelayMillis = 200;
        String controlToken = System.getenv(CONTROL_TOKEN_ENV);
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
                case "--agent-secret" -> secret = v;
                case "--control" -> control = v;
                case "--control-token" -> controlToken = v;
                case "--inventory" -> inventory = v;
                case "--ack-delay-ms" -> ackDelayMillis = number(a, v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (connect.isEmpty()) {
            throw new IllegalArgumentException("--connect is required");
        }
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("an agent secret is required (--agent-secret or NVMESH_AGENT_SECRET)");
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
        SimControl ctl = SimControl.start(host, port, fleet, controlToken);
        fleet.connect(connect, secret);
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

    private static int number(String option, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, got " + v);
        }
    }
}
