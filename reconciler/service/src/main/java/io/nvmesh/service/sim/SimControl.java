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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
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
 * applying layouts but answer only when released), and {@code GET /status}. Every call needs {@code Authorization:
 * Bearer <token>}: loopback alone is not a boundary (any local user, or a page in a browser, can reach it), and a
 * fault injected into a fleet that real instances trust is an attack on them. It still listens on loopback only.
 */
final class SimControl implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;

    private SimControl(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * @param token what callers must present as a bearer token
     * @throws IllegalArgumentException when {@code host} is not a loopback address or the token is blank
     */
    static SimControl start(String host, int port, SimulatedFleet fleet, String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the control needs a token");
        }
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
        // Jetty's header cache matches values ignoring case: a token differing in case from one sent earlier on the
        // same connection would be read as that one.
        connector.getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration()
                .setHeaderCacheCaseSensitive(true);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Control(fleet, digest(token)));
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

    /** SHA-256, so that comparing digests of equal length takes the same time whatever the token presented. */
    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static final class Control extends Handler.Abstract.NonBlocking {

        private static final String BEARER = "Bearer ";

        private final SimulatedFleet fleet;
        private final byte[] tokenDigest;

        Control(SimulatedFleet fleet, byte[] tokenDigest) {
            this.fleet = fleet;
            this.tokenDigest = tokenDigest;
        }

        private boolean authorized(Request request) {
            String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                return false;
            }
            return MessageDigest.isEqual(tokenDigest, digest(header.substring(BEARER.length()).trim()));
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
            if (!(remote instanceof InetSocketAddress inet) || !inet.getAddress().isLoopbackAddress()) {
                return answer(response, callback, 403, "{\"error\":\"loopback only\"}");
            }
            if (!authorized(request)) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"nvmesh-sim\"");
                return answer(response, callback, 401, "{\"error\":\"the control needs its token: Authorization: "
                        + "Bearer <token> (SimMain --control-token, NVMESH_SIM_CONTROL_TOKEN, or the control-token "
                        + "line it printed)\"}");
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
