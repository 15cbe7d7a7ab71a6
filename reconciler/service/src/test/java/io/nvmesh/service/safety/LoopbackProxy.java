package io.nvmesh.service.safety;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP proxy on loopback in front of one port, with a switch: {@link #forward} passes bytes both ways;
 * {@link #blackhole} stops passing them and holds every connection open, new ones too (a partition: the sender hears
 * nothing, not even a reset, until its own timeout); {@link #reset} resets every connection and each new one at once (a
 * peer that is down). A connection that lived through a blackhole is reset when forwarding resumes, as a middlebox
 * that lost its state would: its bytes were never delivered, and delivering them late would corrupt the stream.
 */
final class LoopbackProxy implements AutoCloseable {

    enum Mode {
        FORWARD, BLACKHOLE, RESET
    }

    /** One accepted connection; {@code upstream} is null for a connection held without ever being forwarded. */
    private static final class Link {
        final Socket client;
        final Socket upstream;
        /** Lived through a blackhole: must not carry another byte. */
        boolean stale;
        boolean closed;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }
    }

    private final String name;
    private final int targetPort;
    private final ServerSocket server;
    private final List<Link> links = new ArrayList<>();
    private Mode mode = Mode.FORWARD;
    private boolean closed;

    private LoopbackProxy(String name, int targetPort, ServerSocket server) {
        this.name = name;
        this.targetPort = targetPort;
        this.server = server;
    }

    /** Listens on 127.0.0.1 on a free port and forwards to {@code 127.0.0.1:targetPort}. */
    static LoopbackProxy start(String name, int targetPort) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        LoopbackProxy p = new LoopbackProxy(name, targetPort, s);
        Thread t = new Thread(p::acceptLoop, "proxy-" + name + "-accept");
        t.setDaemon(true);
        t.start();
        return p;
    }

    int port() {
        return server.getLocalPort();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port());
    }

    synchronized Mode mode() {
        return mode;
    }

    /** Passes bytes again; connections that lived through a blackhole are reset. */
    synchronized void forward() {
        mode = Mode.FORWARD;
        for (Link l : List.copyOf(links)) {
            if (l.stale) {
                abort(l);
            }
        }
        notifyAll();
    }

    synchronized void blackhole() {
        mode = Mode.BLACKHOLE;
        links.forEach(l -> l.stale = true);
    }

    synchronized void reset() {
        mode = Mode.RESET;
        List.copyOf(links).forEach(this::abort);
        notifyAll();
    }

    private void acceptLoop() {
        while (true) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Mode now = mode();
            if (now == Mode.RESET) {
                rst(client);
                continue;
            }
            if (now == Mode.BLACKHOLE) {
                hold(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2_000);
            } catch (IOException e) {
                rst(client); // nothing listens there: as the real port would answer
                close(upstream);
                continue;
            }
            Link link = new Link(client, upstream);
            if (!register(link)) {
                continue;
            }
            pump(link, client, upstream, "up");
            pump(link, upstream, client, "down");
        }
    }

    /** Held open, never forwarded; reset when forwarding resumes. */
    private synchronized void hold(Socket client) {
        Link l = new Link(client, null);
        l.stale = true;
        if (closed) {
            rst(client);
            return;
        }
        links.add(l);
    }

    private synchronized boolean register(Link link) {
        if (closed) {
            rst(link.client);
            rst(link.upstream);
            return false;
        }
        links.add(link);
        if (mode == Mode.BLACKHOLE) {
            link.stale = true;
        }
        return true;
    }

    private void pump(Link link, Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (!mayPass(link)) {
                        return;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // reset, or closed by the other pump
            }
            // An end of stream is news that a partition does not carry either.
            if (mayPass(link)) {
                synchronized (this) {
                    link.closed = true;
                    links.remove(link);
                }
                close(link.client);
                close(link.upstream);
            }
        }, "proxy-" + name + "-" + direction);
        t.setDaemon(true);
        t.start();
    }

    /** Waits while blackholed; whether the link may still carry bytes. */
    private synchronized boolean mayPass(Link link) {
        while (mode == Mode.BLACKHOLE && !link.closed && !closed) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return mode == Mode.FORWARD && !link.stale && !link.closed && !closed;
    }

    private void abort(Link l) {
        l.closed = true;
        links.remove(l);
        rst(l.client);
        if (l.upstream != null) {
            rst(l.upstream);
        }
    }

    private static void rst(Socket s) {
        try {
            s.setSoLinger(true, 0); // close with RST, not FIN
        } catch (IOException e) {
            // closed already
        }
        close(s);
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // nothing left to do
        }
        List.copyOf(links).forEach(this::abort);
        notifyAll();
    }

    @Override
    public String toString() {
        return "proxy " + name + " :" + port() + " -> :" + targetPort + " (" + mode() + ")";
    }
}
