package io.nvmesh.service.safety;

import io.nvmesh.core.testing.GitDaemon;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * What a case started — processes, the ports they listen on, anything else to close — so that {@code @AfterEach}
 * (or the scenario) closes it all in reverse order, whatever failed, and can then prove nothing is left: no process
 * alive, no port still bound.
 */
final class Started implements AutoCloseable {

    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private final Map<Process, String> processes = new LinkedHashMap<>();
    /** Every process handle seen, children of children included: all must be gone at the end. */
    private final Map<ProcessHandle, String> handles = new LinkedHashMap<>();
    private final Set<Integer> ports = new TreeSet<>();

    synchronized <T extends AutoCloseable> T add(T part) {
        parts.push(part);
        return part;
    }

    /** A process to kill at the end (in reverse order of start, with the other parts), and the ports it listens on. */
    synchronized Process process(String name, Process p, int... listens) {
        processes.put(p, name);
        handles.put(p.toHandle(), name);
        parts.push(() -> {
            synchronized (this) {
                p.descendants().forEach(h -> handles.put(h, name + " child " + h.pid()));
            }
            kill(p);
        });
        for (int port : listens) {
            ports.add(port);
        }
        return p;
    }

    /** A {@link GitDaemon} on {@code base}, its process and port accounted for like any other. */
    GitDaemon gitDaemon(Path base, Path log) throws IOException {
        GitDaemon d = GitDaemon.start(base, log);
        process("git daemon", d.process(), d.port());
        return add(d);
    }

    synchronized void port(int port) {
        ports.add(port);
    }

    /** SIGKILL to a process and everything it started, waiting (bounded) until they are gone. */
    static void kill(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        children.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(15, TimeUnit.SECONDS);
            for (ProcessHandle c : children) {
                c.onExit().get(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // reported by leftovers()
        }
    }

    @Override
    public void close() {
        List<AutoCloseable> order;
        Map<Process, String> procs;
        synchronized (this) {
            order = new ArrayList<>(parts);
            parts.clear();
            procs = new LinkedHashMap<>(processes);
        }
        for (AutoCloseable part : order) {
            try {
                part.close();
            } catch (Exception e) {
                // the rest must still be closed; leftovers() tells what stayed
            }
        }
        for (Process p : procs.keySet()) {
            synchronized (this) {
                p.descendants().forEach(h -> handles.put(h, procs.get(p) + " child " + h.pid()));
            }
            kill(p);
        }
    }

    /** Processes still alive and ports still bound; empty once {@link #close} did its job. */
    synchronized List<String> leftovers() {
        List<String> out = new ArrayList<>();
        handles.forEach((h, name) -> {
            if (h.isAlive()) {
                out.add("process " + name + " (pid " + h.pid() + ") is still alive");
            }
        });
        for (int port : ports) {
            // Is anything still listening? Binding the port again answered that wrongly: once released, a port of
            // the ephemeral range may be the local end of some other connection of this machine, which makes a
            // bind fail though nothing listens. A refused connection is the answer that matters.
            if (listens(port)) {
                out.add("port " + port + " still has a listener");
            }
        }
        return out;
    }

    /**
     * Whether a connection to {@code 127.0.0.1:port} is accepted. A connection whose own local port is that port met
     * itself, not a listener: when nothing listens on a port of the ephemeral range (a proxy's), the kernel may pick
     * that very port for the probe, and the SYN it sends to itself opens the connection (TCP's simultaneous open). CI
     * saw it once: a closed proxy's port "still has a listener".
     */
    static boolean listens(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            return s.getLocalPort() != port;
        } catch (IOException e) {
            return false; // refused: nothing listens there any more
        }
    }
}
