package io.nvmesh.cli;

import io.nvmesh.cli.remote.ServerAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh watch TOPIC...}: prints events live from a reconciler's event stream. */
@Command(name = "watch",
        mixinStandardHelpOptions = true,
        description = {
            "Print the current state of what TOPIC names, then events live as any reconciler instance raises "
                    + "them.",
            "TOPIC is volume/<name>, target/<id>, client/<id>, drive/<serial>, capacity or cluster, or every topic "
                    + "of a kind (volume/*, target/*, client/*, drive/*).",
            "First, as kubectl get -w does, one line per object with its state now, marked (current) (in json "
                    + "\"initial\":true): volumes with their status and reason, targets and drives with their "
                    + "health, clients as recorded, capacity's totals, cluster's members. --no-initial prints only "
                    + "changes; so does --since, which prints the events after SEQ instead.",
            "When the connection ends, watch reconnects (with backoff) to the next --server, or the same one, and "
                    + "resumes after the last event it printed. When the server no longer holds what was missed, "
                    + "watch prints that the topic was reset and then the snapshot of its current state.",
            "Ctrl-C stops it (exit 0)."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  nvmesh watch volume/db-01",
            "  nvmesh watch 'volume/*' --no-initial   changes only",
            "  nvmesh watch 'drive/*' target/t-001 -s http://r1:7420 -s http://r2:7420",
            "  nvmesh watch volume/db-01 -o json --count 1   one event as JSON, for a script",
            "  nvmesh watch capacity --since 1764078000000041   resume after a sequence",
            "",
            "Exit codes: 0 stopped (Ctrl-C, --count reached, --timeout without --count), 1 server unreachable, "
                    + "token refused, or --timeout before --count, 2 usage error (a malformed TOPIC).%n"
        })
final class WatchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "TOPIC", arity = "1..*", description = "Topics or <kind>/* filters.")
    List<String> topics;

    @Option(names = {"-s", "--server"}, paramLabel = "URL",
            description = "A reconciler's base URL; repeat (or separate with commas) to list instances to "
                    + "reconnect to (default: NVMESH_SERVER, else the running demo's).")
    List<String> servers = new ArrayList<>();

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "A read or admin token (default: NVMESH_TOKEN, else the running demo's read token).")
    String token;

    @picocli.CommandLine.Mixin
    TlsOptions tls = new TlsOptions();

    @Option(names = "--since", paramLabel = "SEQ",
            description = "Print the events after this sequence first (every topic), then the live ones.")
    Long since;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (a line per event) or json (one JSON object per line, for scripts)")
    TopicWatch.Format output;

    @Option(names = "--no-initial", description = "Do not print the current state first: only changes.")
    boolean noInitial;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N events (the current state printed "
            + "first does not count).")
    Integer count;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "Stop after this long (e.g. 30s, 5m); with --count, not reaching N in time is exit 1.")
    String timeout;

    @Override
    public Integer call() throws InterruptedException {
        if (count != null && count < 1) {
            throw CommandException.usage("--count: N is at least 1, got %d", count);
        }
        Duration limit = timeout == null ? null : DurationOption.parse("--timeout", timeout);
        TopicWatch watch = new TopicWatch(addresses(), topics, since, !noInitial && since == null, output, count,
                spec.commandLine().getOut(), spec.commandLine().getErr());
        TopicWatch.Outcome end;
        try (Interrupts ctrlC = Interrupts.onCtrlC(watch::stop)) {
            end = watch.run(limit);
        }
        if (end.timedOut() && count != null) {
            throw CommandException.problems("timed out after %s with %d of %d event(s)", timeout, end.events(), count);
        }
        return ExitCode.OK.code();
    }

    private List<ServerAddress> addresses() {
        List<String> given = new ArrayList<>();
        servers.forEach(s -> {
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    given.add(part.strip());
                }
            }
        });
        if (given.isEmpty()) {
            given.add(null);
        }
        List<ServerAddress> out = new ArrayList<>();
        try {
            for (String s : given) {
                out.add(ServerAddress.resolve(s, token, tls.given(), System.getenv()));
            }
        } catch (IllegalArgumentException e) {
            throw CommandException.usage("%s", e.getMessage());
        }
        return out;
    }
}
