package io.nvmesh.cli.demo;

import io.nvmesh.cli.process.ChildProcesses;
import io.nvmesh.cli.process.ExitStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's children by name: reconciler instances and the simulated fleet, each writing to its own log. The demo
 * goes on while the fleet and at least one reconciler run: a reconciler that dies is what a user came to watch (its
 * nodes move to the survivors), not a reason to stop the others.
 */
final class DemoChildren {

    enum Role { RECONCILER, FLEET }

    /**
     * A child that exited.
     *
     * @param survivors the reconcilers still running when the exit was seen, in start order
     */
    record Exit(String name, Role role, long pid, ExitStatus status, Path log, List<String> survivors) {

        Exit {
            survivors = List.copyOf(survivors);
        }

        /** The demo cannot go on without a fleet or without any reconciler. */
        boolean endsDemo() {
            return role == Role.FLEET || survivors.isEmpty();
        }

        /** One line: who, how, what happens now, where to look. */
        String message() {
            String who = role == Role.FLEET ? "simulated fleet" : "reconciler " + name;
            String next = role == Role.FLEET ? "no nodes are left to manage"
                    : survivors.isEmpty() ? "no reconciler is left"
                    : "its nodes move to " + String.join(", ", survivors);
            return who + " (pid " + pid + ") exited with " + status + "; " + next + "  (log: " + log + ")";
        }
    }

    private record Child(String name, Role role, Process process, Path log) {
    }

    private final ChildProcesses processes;
    private final List<Child> running = new ArrayList<>();

    DemoChildren(ChildProcesses processes) {
        this.processes = processes;
    }

    /** Starts {@code builder} with its output and errors going to {@code log}. */
    synchronized Process start(Role role, String name, ProcessBuilder builder, Path log) {
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = processes.start(builder);
        running.add(new Child(name, role, p, log));
        return p;
    }

    /**
     * The children that exited since the last call, in start order, and forgets them. None while the children are
     * being stopped: those exits were asked for.
     */
    synchronized List<Exit> exited() {
        if (processes.stopping()) {
            return List.of();
        }
        List<Child> gone = running.stream().filter(c -> !c.process().isAlive()).toList();
        if (gone.isEmpty()) {
            return List.of();
        }
        running.removeAll(gone);
        List<String> survivors = reconcilers();
        return gone.stream().map(c -> new Exit(c.name(), c.role(), c.process().pid(), ExitStatus.of(c.process()),
                c.log(), survivors)).toList();
    }

    /** The reconcilers not yet seen exited, in start order. */
    synchronized List<String> reconcilers() {
        return running.stream().filter(c -> c.role() == Role.RECONCILER).map(Child::name).toList();
    }
}
