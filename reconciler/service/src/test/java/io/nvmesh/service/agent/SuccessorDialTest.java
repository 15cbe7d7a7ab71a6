package io.nvmesh.service.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where an agent dials when its owner's connection drops: the successor its welcome named, before the instances of
 * its list. Three stand-in instances on loopback (real Jetty, real WebSocket): the owner welcomes the agent naming a
 * successor and then drops the connection without a close frame, as a crash does; the successor and a third instance,
 * the one the agent's list would give next, record the hellos they get. Public, as are the stand-in and its endpoint:
 * Jetty calls WebSocket listeners through public method handles.
 */
public class SuccessorDialTest {

    private final List<Stand> stands = new CopyOnWriteArrayList<>();
    private AgentRuntime runtime;
    private NodeAgent agent;

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        if (runtime != null) {
            runtime.close();
        }
        for (Stand s : stands) {
            s.server.stop();
        }
    }

    @Test
    void anOrphanDialsTheSuccessorItsWelcomeNamedFirst() throws Exception {
        Stand successor = stand("rb", null);
        Stand other = stand("rc", null);
        Stand owner = stand("ra", successor);

        NodeAgent a = start(owner, other);
        await().atMost(Duration.ofSeconds(10)).until(() -> "ra".equals(a.status().owner()));

        owner.crash();

        await().atMost(Duration.ofSeconds(10)).until(() -> "rb".equals(a.status().owner()));
        assertThat(successor.hellos).containsExactly("t-solo");
        assertThat(other.hellos).as("hellos at the next instance of the list").isEmpty();
    }

    @Test
    void aSuccessorThatIsNoInstanceUrlIsIgnored() throws Exception {
        Stand other = stand("rc", null);
        Stand owner = stand("ra", null);
        owner.successorUrl = "file:///etc/passwd";

        NodeAgent a = start(owner, other);
        await().atMost(Duration.ofSeconds(10)).until(() -> "ra".equals(a.status().owner()));

        owner.crash();

        await().atMost(Duration.ofSeconds(10)).until(() -> "rc".equals(a.status().owner()));
        assertThat(other.hellos).containsExactly("t-solo");
    }

    /** An agent whose list is the owner, then the other instance: after the owner, its list gives the other. */
    private NodeAgent start(Stand owner, Stand other) {
        runtime = AgentRuntime.start("successor-test");
        agent = NodeAgent.create(runtime, AgentSettings.of("t-solo", NodeKind.TARGET, List.of(owner.url, other.url),
                "token", 1), new OneDriveNode());
        // The first dial goes to a seeded random instance of the list; the other one redirects to the owner.
        other.redirectTo = owner;
        agent.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> "ra".equals(agent.status().owner()));
        other.redirectTo = null;
        other.hellos.clear();
        return agent;
    }

    private Stand stand(String id, Stand successor) throws Exception {
        Stand s = new Stand(id, successor);
        stands.add(s);
        return s;
    }

    /** A stand-in instance: welcomes every hello (naming its successor, if any) unless told to redirect. */
    public static final class Stand {
        final String id;
        final Server server = new Server();
        final URI url;
        final List<String> hellos = new CopyOnWriteArrayList<>();
        final List<Session> sessions = new CopyOnWriteArrayList<>();
        volatile String successorUrl;
        final String successor;
        volatile Stand redirectTo;

        Stand(String id, Stand next) throws Exception {
            this.id = id;
            this.successor = next == null ? null : next.id;
            this.successorUrl = next == null ? null : next.url.toString();
            ServerConnector connector = new ServerConnector(server, 1, 1);
            connector.setHost("127.0.0.1");
            server.addConnector(connector);
            ServerWebSocketContainer container = ServerWebSocketContainer.ensure(server);
            server.setHandler(new Handler.Abstract() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    return container.upgrade((rq, rs, cb) -> new Endpoint(), request, response, callback);
                }
            });
            server.start();
            url = URI.create("http://127.0.0.1:" + connector.getLocalPort());
        }

        /** Drops every connection without a close frame, as a killed process's kernel does. */
        void crash() {
            sessions.forEach(Session::disconnect);
        }

        public final class Endpoint implements Session.Listener.AutoDemanding {
            private Session session;

            @Override
            public void onWebSocketOpen(Session s) {
                session = s;
                sessions.add(s);
            }

            @Override
            public void onWebSocketText(String text) {
                if (!(AgentCodec.decode(text) instanceof AgentMessage.Hello h)) {
                    return;
                }
                Stand to = redirectTo;
                if (to != null) {
                    session.sendText(AgentCodec.encode(new AgentMessage.Redirect(h.nodeId(), to.id,
                            to.url.toString())), org.eclipse.jetty.websocket.api.Callback.NOOP);
                    session.close(AgentProtocol.CLOSE_MOVED, AgentProtocol.movedReason(to.id, to.url), org.eclipse.jetty.websocket.api.Callback.NOOP);
                    return;
                }
                hellos.add(h.nodeId());
                session.sendText(AgentCodec.encode(new AgentMessage.Welcome(1, h.nodeId(), id, 60_000, successor,
                        successorUrl)), org.eclipse.jetty.websocket.api.Callback.NOOP);
            }
        }
    }
}
