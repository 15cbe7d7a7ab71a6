package io.nvmesh.cli;

import io.nvmesh.cli.remote.ControlCharacters;
import io.nvmesh.cli.remote.EventFollower;
import io.nvmesh.cli.remote.EventLines;
import io.nvmesh.cli.remote.InitialState;
import io.nvmesh.cli.remote.ServerAddress;
import io.nvmesh.cli.remote.ServerClient;
import io.nvmesh.cli.remote.ServerException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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

    enum Format { TEXT, JSON }

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
    Format output;

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
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (count != null && count < 1) {
            throw CommandException.usage("--count: N is at least 1, got %d", count);
        }
        Duration limit = timeout == null ? null : DurationOption.parse("--timeout", timeout);
        List<ServerAddress> addresses = addresses();
        CompletableFuture<Boolean> stop = new CompletableFuture<>();
        AtomicInteger events = new AtomicInteger();
        boolean initial = !noInitial && since == null;
        // Until the current state is printed, events are held back: subscribing first and reading the state second
        // leaves no gap; an event the state already shows is printed again after it, which is harmless.
        List<EventFollower.Item> held = new ArrayList<>();
        boolean[] live = {!initial};
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        EventFollower follower = EventFollower.start(addresses, topics, since, new EventFollower.Listener() {
            @Override
            public void item(EventFollower.Item item) {
                synchronized (out) {
                    if (!live[0]) {
                        held.add(item);
                        return;
                    }
                }
                print(item, out, stop, events);
            }

            @Override
            public void note(String line) {
                if (line.startsWith("watching ")) {
                    subscribed.complete(null);
                }
                synchronized (err) {
                    err.println(ControlCharacters.escape(line));
                    err.flush();
                }
            }
        });
        follower.done().whenComplete((v, failure) -> {
            if (failure != null) {
                stop.completeExceptionally(failure);
            }
        });
        try (Interrupts ctrlC = Interrupts.onCtrlC(() -> stop.complete(true))) {
            if (initial) {
                printInitial(addresses, follower, subscribed, held, live, out, stop, events);
            }
            if (limit == null) {
                stop.get();
            } else {
                stop.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (TimeoutException e) {
            if (count != null) {
                throw CommandException.problems("timed out after %s with %d of %d event(s)", timeout, events.get(),
                        count);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ServerException s) {
                throw s.status() == 400 ? CommandException.usage("%s", s.getMessage())
                        : CommandException.problems("%s", s.getMessage());
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            follower.close();
        }
        return ExitCode.OK.code();
    }

    /** Prints one item unless stopped; counts events (not resets, not the current state) towards --count. */
    private void print(EventFollower.Item item, PrintWriter out, CompletableFuture<Boolean> stop,
            AtomicInteger events) {
        synchronized (out) {
            if (stop.isDone()) {
                return;
            }
            if (output == Format.JSON) {
                out.println(ControlCharacters.escape(EventLines.json(item)));
            } else {
                EventLines.text(item, LocalTime.now()).forEach(l -> out.println(ControlCharacters.escape(l)));
            }
            out.flush();
        }
        if (!item.reset() && !item.initial() && count != null && events.incrementAndGet() >= count) {
            stop.complete(true);
        }
    }

    /**
     * Once subscribed (or after a bound, or never when the follower gave up: its failure is reported as usual), reads
     * the current state from the first server that answers, prints it, then the events held meanwhile.
     */
    private void printInitial(List<ServerAddress> addresses, EventFollower follower, CompletableFuture<Void> subscribed,
            List<EventFollower.Item> held, boolean[] live, PrintWriter out, CompletableFuture<Boolean> stop,
            AtomicInteger events) throws InterruptedException {
        try {
            CompletableFuture.anyOf(subscribed, follower.done()).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return; // the follower failed; the caller reports why
        } catch (TimeoutException e) {
            // Not subscribed yet (reconnecting): the state read now is still the one to start from.
        }
        List<EventFollower.Item> now = null;
        ServerException failure = null;
        for (ServerAddress a : addresses) {
            try {
                now = InitialState.read(new ServerClient(a), topics);
                break;
            } catch (ServerException e) {
                failure = e;
            }
        }
        if (now == null) {
            throw failure.status() == 400 ? CommandException.usage("%s", failure.getMessage())
                    : CommandException.problems("%s", failure.getMessage());
        }
        now.forEach(item -> print(item, out, stop, events));
        synchronized (out) {
            held.forEach(item -> print(item, out, stop, events));
            held.clear();
            live[0] = true;
        }
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
