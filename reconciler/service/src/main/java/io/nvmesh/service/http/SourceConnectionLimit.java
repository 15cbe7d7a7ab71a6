package io.nvmesh.service.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Open connections per source address. Jetty's {@code NetworkConnectionLimit} bounds all connections together (and
 * stops accepting, which starves everyone alike); this counts per address as connections are accepted and closed
 * (an {@link SelectorManager.AcceptListener}, the hook {@code NetworkConnectionLimit} itself uses), and a connection
 * past its source's limit answers its first request with a 429 problem and is closed, so the client learns why.
 * WebSocket sessions (agents, event streams) keep their TCP connection and so stay counted.
 */
final class SourceConnectionLimit extends Handler.Wrapper implements SelectorManager.AcceptListener {

    private final int max;
    private final Request.Handler refuse;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<SelectableChannel, String> sourceOf = new ConcurrentHashMap<>();
    private final Set<SelectableChannel> over = ConcurrentHashMap.newKeySet();

    SourceConnectionLimit(Handler next, int max, Request.Handler refuse) {
        super(next);
        this.max = max;
        this.refuse = refuse;
    }

    @Override
    public void onAccepted(SelectableChannel channel) {
        String ip = ip(channel);
        if (ip == null) {
            return;
        }
        sourceOf.put(channel, ip);
        int n = open.merge(ip, 1, Integer::sum);
        if (n > max) {
            over.add(channel);
        }
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        over.remove(channel);
        String ip = sourceOf.remove(channel);
        if (ip != null) {
            open.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Connections open from an address now. */
    int openFrom(String ip) {
        return open.getOrDefault(ip, 0);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Connection connection = request.getConnectionMetaData().getConnection();
        if (!over.isEmpty() && connection != null
                && connection.getEndPoint().getTransport() instanceof SelectableChannel channel
                && over.contains(channel)) {
            return refuse.handle(request, response, callback);
        }
        return super.handle(request, response, callback);
    }

    private static String ip(SelectableChannel channel) {
        try {
            SocketAddress remote = channel instanceof SocketChannel s ? s.getRemoteAddress() : null;
            return remote instanceof InetSocketAddress inet && inet.getAddress() != null
                    ? inet.getAddress().getHostAddress() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
