package io.nvmesh.service.sim;

import io.nvmesh.service.agent.AgentStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The fleet's remote control: {@code POST /fail-drive?serial=}, {@code /stop-target?id=}, {@code /start-target?id=},
 * {@code /move-drive?serial=&to=}, {@code /kill-client?id=}, {@code /hold-acks}, {@code /release-acks} (targets keep
 * applying layouts but answer only when released), and {@code GET /status}. It has no authentication, so it
 * listens on loopback only and refuses anything else.
 */
final class SimControl implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;

    private SimControl(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /** @throws IllegalArgumentException when {@code host} is not a loopback address */
    static SimControl start(String host, int port, SimulatedFleet fleet) {
        try {
            if (!InetAddress.getByName(host).isLoopbackAddress()) {
                throw new IllegalArgumentException("the control listens on loopback only, not on " + host);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown control host " + host, e);
        }
        QueuedThreadPool threads = new QueuedThreadPool(4, 1);
        threads.setName("nvmesh-sim-control");
        threads.setDaemon(true);
        Server server = new Server(threads);
        server.setStopTimeout(250);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Control(fleet));
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("the control server did not start: " + e.getMessage(), e);
        }
        return new SimControl(server, connector);
    }

    URI url() {
        String h = connector.getHost();
        return URI.create("http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + connector.getLocalPort());
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // best effort
        }
    }

    private static final class Control extends Handler.Abstract.NonBlocking {

        private final SimulatedFleet fleet;

        Control(SimulatedFleet fleet) {
            this.fleet = fleet;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
            if (!(remote instanceof InetSocketAddress inet) || !inet.getAddress().isLoopbackAddress()) {
                return answer(response, callback, 403, "{\"error\":\"loopback only\"}");
            }
            String path = Request.getPathInContext(request);
            Fields q = Request.extractQueryParameters(request);
            try {
                if (path.equals("/status")) {
                    return answer(response, callback, 200, status());
                }
                if (!request.getMethod().equals("POST")) {
                    response.getHeaders().put(HttpHeader.ALLOW, "POST");
                    return answer(response, callback, 405, "{\"error\":\"use POST\"}");
                }
                switch (path) {
                    case "/fail-drive" -> fleet.failDrive(param(q, "serial"));
                    case "/stop-target" -> fleet.stopTarget(param(q, "id"));
                    case "/start-target" -> fleet.startTarget(param(q, "id"));
                    case "/move-drive" -> fleet.moveDrive(param(q, "serial"), param(q, "to"));
                    case "/kill-client" -> fleet.killClient(param(q, "id"));
                    case "/hold-acks" -> fleet.holdAcks();
                    case "/release-acks" -> fleet.releaseAcks();
                    default -> {
                        return answer(response, callback, 404, "{\"error\":\"no such control: " + path + "\"}");
                    }
                }
                return answer(response, callback, 200, "{\"done\":\"" + path.substring(1) + "\"}");
            } catch (MissingParameter e) {
                return answer(response, callback, 400, "{\"error\":\"" + e.getMessage() + "\"}");
            } catch (IllegalArgumentException | IllegalStateException e) {
                return answer(response, callback, 404, "{\"error\":\"" + e.getMessage().replace("\"", "'") + "\"}");
            }
        }

        private String status() {
            Map<String, AgentStatus> statuses = fleet.statuses();
            Map<String, Integer> byOwner = new TreeMap<>();
            int connected = 0;
            for (AgentStatus s : statuses.values()) {
                if (s.connected()) {
                    connected++;
                    byOwner.merge(s.owner(), 1, Integer::sum);
                }
            }
            StringBuilder b = new StringBuilder("{\"targets\":").append(fleet.targetIds().size())
                    .append(",\"clients\":").append(fleet.clientIds().size())
                    .append(",\"connected\":").append(connected).append(",\"byOwner\":{");
            String sep = "";
            for (Map.Entry<String, Integer> e : byOwner.entrySet()) {
                b.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
                sep = ",";
            }
            return b.append("}}").toString();
        }

        private static String param(Fields q, String name) {
            String v = q.getValue(name);
            if (v == null || v.isBlank()) {
                throw new MissingParameter("query parameter " + name + " is required");
            }
            return v;
        }

        private static boolean answer(Response response, Callback callback, int status, String json) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
    }

    private static final class MissingParameter extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MissingParameter(String message) {
            super(message);
        }
    }
}
