package io.nvmesh.service;

import io.nvmesh.schema.Problem;
import io.nvmesh.service.config.ConfigCheck;
import io.nvmesh.service.config.ConfigLoader;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.config.InvalidConfigException;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The daemon's process entry point: {@code java -cp 'nvmesh-reconciler-service.jar:lib/*'
 * io.nvmesh.service.ReconcilerMain --config FILE}. {@code nvmesh reconciler --config FILE} starts exactly this; the
 * command line reaches the running instance only over HTTP.
 *
 * <p>Exit codes: 0 after a clean stop (SIGTERM or SIGINT), 2 for a bad command line or configuration, 1 when the
 * instance cannot start (e.g. the port is taken). With {@code --check} nothing is started: the configuration and
 * everything it names are checked ({@link ConfigCheck}), every problem is listed, and the exit code is 0 (fine) or 1.
 */
public final class ReconcilerMain {

    static final String USAGE = "usage: ReconcilerMain --config FILE [--check]";

    private ReconcilerMain() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(out, err, node -> {
            // Said on stdout, not logged: the JDK resets its log handlers in a shutdown hook of its own.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                node.close();
                out.println("nvmesh reconciler " + node.id() + " stopped");
            }, "nvmesh-shutdown"));
            try {
                node.awaitClosed();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                node.close();
            }
        }, args);
        // After a signal the JVM is exiting already; calling exit from here would wait on the hook that woke us.
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Loads the configuration, starts the instance and hands it to {@code whileRunning}, which returns when the
     * instance should be (or has been) stopped.
     */
    static int run(PrintWriter out, PrintWriter err, Consumer<ReconcilerNode> whileRunning, String... args) {
        Path config = null;
        boolean check = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--check" -> check = true;
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("error: --config needs a file");
                        err.println(USAGE);
                        return 2;
                    }
                    config = Path.of(args[++i]);
                }
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    err.println("error: unknown argument " + args[i]);
                    err.println(USAGE);
                    return 2;
                }
            }
        }
        if (config == null) {
            err.println("error: --config FILE is required");
            err.println(USAGE);
            return 2;
        }
        if (check) {
            return check(config, out, err);
        }
        InstanceConfig instance;
        try {
            instance = ConfigLoader.load(config);
        } catch (InvalidConfigException e) {
            for (Problem p : e.problems()) {
                err.println("error: " + p.render());
            }
            return 2;
        }
        ReconcilerNode node;
        try {
            node = ReconcilerNode.start(instance);
        } catch (IllegalArgumentException e) {
            // The credentials: a file that does not read, or an own token that is not this instance's credential.
            for (String line : e.getMessage().split("\n")) {
                err.println("error: " + line);
            }
            return 2;
        } catch (UncheckedIOException | IllegalStateException e) {
            err.println("error: " + instance.id() + ": " + e.getMessage());
            return 1;
        }
        out.println("nvmesh reconciler " + node.id() + " listening on " + node.url() + " (epoch "
                + node.membership().epoch() + ", peers " + instance.peers().size() + ")");
        try {
            whileRunning.accept(node);
        } finally {
            node.close();
        }
        return 0;
    }

    /** {@code --check}: what is fine on standard output, every problem on standard error; 0 or 1. */
    static int check(Path config, PrintWriter out, PrintWriter err) {
        ConfigCheck c = ConfigCheck.of(config);
        c.checked().forEach(line -> out.println("ok: " + line));
        c.problems().forEach(p -> err.println("error: " + p.render()));
        if (c.ok()) {
            out.println(config + ": ok");
        } else {
            err.println(config + ": " + c.problems().size() + " problem" + (c.problems().size() == 1 ? "" : "s"));
        }
        out.flush();
        err.flush();
        return c.ok() ? 0 : 1;
    }
}
