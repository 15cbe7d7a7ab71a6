package io.nvmesh.cli;

import static io.nvmesh.core.state.CommitIds.shortId;

import java.util.List;

import java.util.ArrayList;

import java.nio.file.Files;

import io.nvmesh.core.inventory.InventoryFile;

import io.nvmesh.cli.demo.DemoRunner;
import io.nvmesh.cli.demo.DemoSetup;
import io.nvmesh.cli.process.ChildProcesses;
import io.nvmesh.cli.process.ServiceJars;
import io.nvmesh.cli.remote.ServerAddress;
import io.nvmesh.core.reconcile.HistoryCheck;
import io.nvmesh.core.state.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code nvmesh demo}: a local repository, three reconcilers and a simulated fleet, until Ctrl-C or until the fleet or
 * the last reconciler exits.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run nvmesh on this machine: a local bare Git repository whose desired branch holds the samples, three "
                    + "reconciler instances on loopback and a simulated fleet (the sample inventory by default), all "
                    + "as child processes. Waits until the samples are reconciled, prints how to look at them, and "
                    + "stops everything on Ctrl-C.",
            "A reconciler that exits (try kill -9 on one) leaves the others running: the demo says so and says "
                    + "when the survivors serve its nodes. It stops, with exit code 1, when the fleet or the last "
                    + "reconciler exits.",
            "The folder (default ${NVMESH_HOME:-~/.nvmesh}/demo) is cleared and set up again on every run.",
            "TLS and client certificates are on: the demo makes a private CA in its folder (pki/ca.pem), a "
                    + "certificate per instance, per simulated node and for its admin and reader; instances serve "
                    + "https only, peers and agents present their certificates, and client.properties names the CA "
                    + "and the reader's certificate so that nvmesh get/status/watch work. --insecure runs plain http "
                    + "on loopback instead."
        },
        footerHeading = "%nExamples:%n",
        footer = {"  nvmesh demo", "  nvmesh demo --targets 48 --drives 8 --clients 32   a generated fleet instead",
            "  nvmesh demo --no-wait --dir /tmp/nvmesh-demo",
            "  nvmesh demo --insecure                              plain http on loopback, no certificates", ""})
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "The demo folder.")
    Path dir;

    @Option(names = "--samples", paramLabel = "DIR",
            description = "The desired state to seed (default: samples/ of the nvmesh home).")
    Path samples;

    @Option(names = "--instances", defaultValue = "3", description = "Reconciler instances (default: 3).")
    int instances;

    @Option(names = "--targets", description = "A generated fleet of this many targets instead of the sample "
            + "inventory (the samples' classes then may not match and volumes stay pending).")
    Integer targets;

    @Option(names = "--drives", defaultValue = "8", description = "Drives per generated target (default: 8).")
    int drives;

    @Option(names = "--clients", defaultValue = "32", description = "Generated clients (default: 32).")
    int clients;

    @Option(names = "--no-wait", description = "Do not wait for the samples to be reconciled.")
    boolean noWait;

    @Option(names = "--insecure", description = "Plain http on loopback: no certificates, tokens only.")
    boolean insecure;

    @Option(names = "--timeout", defaultValue = "120s", paramLabel = "DURATION",
            description = "How long to wait for start-up and reconciliation (default: 120s; e.g. 90s, 3m).")
    String timeout;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Duration limit = DurationOption.parse("--timeout", timeout);
        ServiceJars jars = ServiceRun.jars();
        Path home = Path.of(System.getProperty("nvmesh.home", "."));
        Path folder = dir != null ? dir : ServerAddress.homeDir(System.getenv()).resolve("demo");
        Path seed = samples != null ? samples : home.resolve("samples");
        DemoRunner.Fleet fleet = targets != null ? new DemoRunner.Fleet(null, targets, drives, clients)
                : new DemoRunner.Fleet(seed.resolve("inventory/fleet.yaml"), 0, 0, 0);
        DemoSetup.Prepared demo;
        try {
            demo = DemoSetup.prepare(folder.toAbsolutePath().normalize(), seed.toAbsolutePath().normalize(),
                    instances, nodeIds(fleet), !insecure);
        } catch (IllegalArgumentException e) {
            throw CommandException.usage("%s", e.getMessage());
        }
        out.println("demo folder " + demo.dir() + ": repository " + demo.repository() + ", desired branch main at "
                + shortId(demo.desired()) + " (" + demo.volumes() + " volumes from " + seed + ")");
        ChildProcesses children = new ChildProcesses(); // stopped by its shutdown hook on Ctrl-C
        // Once the instances are down, prove what they recorded: every state commit against its parent.
        children.afterStop(() -> checkHistory(demo, out));
        try {
            DemoRunner runner = new DemoRunner(demo, jars, children, out);
            runner.start(fleet, limit);
            if (!noWait) {
                out.println("waiting for the samples to be reconciled (--timeout " + timeout + ")...");
                out.flush();
                if (!runner.awaitReconciled(limit)) {
                    out.println("not all volumes were placed within " + timeout + "; still running (nvmesh get "
                            + "volumes shows why, the REASON column)");
                }
            }
            printHowToLook(out, demo, runner.controlToken());
            runner.runUntilStopped();
            return ExitCode.OK.code();
        } catch (IllegalStateException e) {
            children.close();
            throw CommandException.problems("%s", e.getMessage());
        }
    }

    /** The ids of the fleet's nodes, each of which gets its own agent credential. */
    private static List<String> nodeIds(DemoRunner.Fleet fleet) throws IOException {
        if (fleet.inventory() == null) {
            return DemoSetup.generatedNodeIds(fleet.targets(), fleet.clients());
        }
        if (!Files.isRegularFile(fleet.inventory())) {
            throw CommandException.usage("no inventory at %s", fleet.inventory());
        }
        InventoryFile.Result read = InventoryFile.parse(fleet.inventory().toString(),
                Files.readAllBytes(fleet.inventory()));
        if (read.inventory().isEmpty()) {
            throw CommandException.problems("%s", read.problems().get(0).render());
        }
        List<String> ids = new ArrayList<>();
        read.inventory().get().targets().forEach(t -> ids.add(t.id()));
        read.inventory().get().clients().forEach(c -> ids.add(c.id()));
        return ids;
    }

    /** {@code nvmesh fsck --history} on the demo's repository, as the demo ends. */
    private static void checkHistory(DemoSetup.Prepared demo, PrintWriter out) {
        try (StateStore store = StateStore.openOrCreate(demo.repository())) {
            HistoryCheck.Report r = HistoryCheck.check(store, "main", "");
            r.findings().forEach(f -> out.println(f.render()));
            out.println("history of " + demo.repository() + ": " + r.commits() + " state commits, " + (r.clean()
                    ? "every step kept the safety rules" : r.findings().size() + " violation(s)")
                    + " (nvmesh fsck --history)");
            out.flush();
        }
    }

    /** The {@code NVMESH_CACERT/CERT/KEY} part of an export line; empty without TLS. */
    private static String exports(io.nvmesh.cli.remote.ClientTls tls) {
        if (tls.isNone()) {
            return "";
        }
        return " NVMESH_CACERT=" + tls.cacert().orElseThrow() + " NVMESH_CERT=" + tls.cert().orElseThrow()
                + " NVMESH_KEY=" + tls.key().orElseThrow();
    }

    private static void printHowToLook(PrintWriter out, DemoSetup.Prepared demo, String controlToken) {
        String nvmesh = DemoRunner.launcher();
        String first = demo.urls().values().iterator().next().toString();
        out.println();
        out.println("nvmesh demo is running; Ctrl-C stops everything.");
        demo.urls().forEach((id, url) -> out.println("  reconciler " + id + "  " + url));
        out.println("  read token   " + demo.readToken());
        if (demo.tls()) {
            out.println("  CA           " + demo.pki().resolve("ca.pem") + "  (made for this demo; https only, peers "
                    + "and agents present certificates from " + demo.pki() + ")");
        }
        out.println("  admin token  " + demo.adminToken() + "  (also in " + demo.dir().resolve("admin.token") + ")");
        out.println("  credentials  " + demo.credentials() + "  (one per instance and node; nvmesh token list "
                + "--file " + demo.credentials() + ")");
        out.println("  logs         " + demo.logs());
        out.println("  dashboard    " + first + "/  (any instance; sign in with the read token" + (demo.tls()
                ? "; your browser does not know the demo's CA: import " + demo.pki().resolve("ca.pem")
                + " as an authority, or run nvmesh demo --insecure)" : ")"));
        out.println("  metrics      " + first + "/metrics  (Prometheus, read token; samples/prometheus/)");
        out.println();
        boolean defaultFolder = demo.dir().equals(ServerAddress.homeDir(System.getenv()).resolve("demo")
                .toAbsolutePath().normalize());
        if (defaultFolder) {
            out.println("Look at it (nvmesh get reads " + demo.clientFile() + "):");
        } else {
            out.println("Look at it (this folder is not the default one, so tell nvmesh get where to go):");
            out.println("  export NVMESH_SERVER=" + first + " NVMESH_TOKEN=" + demo.readToken() + exports(
                    demo.readerTls()));
        }
        out.println("  " + nvmesh + " status");
        out.println("  " + nvmesh + " get volumes");
        out.println("  " + nvmesh + " get targets   |  get drives  |  get clients  |  get cluster  |  get capacity");
        out.println("  " + nvmesh + " watch 'volume/*' 'drive/*'      (live events)");
        out.println("  " + nvmesh + " describe volume <name>");
        String curl = demo.tls() ? "curl -s --cacert " + demo.pki().resolve("ca.pem") + " " : "curl -s ";
        out.println("  " + curl + "-H 'Authorization: Bearer " + demo.readToken() + "' " + first + "/v1/volumes");
        out.println("  " + curl + "-X POST -H 'Authorization: Bearer " + demo.adminToken() + "' " + first
                + "/v1/hooks/git");
        if (demo.tls()) {
            out.println("As the admin, by certificate and token (the same caller, demo-admin):");
            out.println("  export NVMESH_TOKEN=" + demo.adminToken() + exports(demo.adminTls()));
        }
        out.println("Fail a drive in the simulated fleet: curl -X POST -H 'Authorization: Bearer " + controlToken
                + "' '<control>/fail-drive?serial=<serial>' (the control URL is on the 'control' line of "
                + demo.logs().resolve("sim.log") + "; serials: " + nvmesh + " get drives)");
        out.println("Change the desired state like any user: " + nvmesh + " apply --repo " + demo.repository()
                + " samples --wait");
        out.flush();
    }
}
