package io.nvmesh.service.http;

import io.nvmesh.core.certs.ReloadingClientContext;
import io.nvmesh.service.config.TlsConfig;

import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** One authenticated call to a peer instance whose 200 answer is parsed; anything else fails the future. */
final class PeerCalls {

    private PeerCalls() {
    }

    /**
     * What an instance presents when it dials an https peer: its own certificate and key as client certificate, and
     * the CA bundle ({@code tls.ca}, else {@code tls.clientCa}) peers' certificates must chain to; host names are
     * checked. The files are read again when they change: new connections present a rotated certificate, no restart
     * (docs/security.md).
     */
    public static SslContextFactory.Client clientTls(TlsConfig tls) {
        SslContextFactory.Client factory = new SslContextFactory.Client();
        factory.setSslContext(ReloadingClientContext.of(tls.trustedCa(), Optional.of(tls.certificate()),
                Optional.of(tls.key())));
        return factory;
    }

    /** A started client for calls to peers: daemon threads named after {@code name}, a few connections per peer. */
    static HttpClient startClient(String name, Duration timeout) {
        return startClient(name, timeout, Optional.empty());
    }

    /** As above; with {@code tls}, https peers are checked against its CA and shown its certificate (mTLS). */
    static HttpClient startClient(String name, Duration timeout, Optional<TlsConfig> tls) {
        return startClient(name, timeout, tls, 4);
    }

    /** As above, with at most {@code connectionsPerPeer} connections to one peer. */
    static HttpClient startClient(String name, Duration timeout, Optional<TlsConfig> tls, int connectionsPerPeer) {
        QueuedThreadPool threads = new QueuedThreadPool(8, 1);
        threads.setName(name);
        threads.setDaemon(true);
        HttpClient client = new HttpClient();
        tls.map(PeerCalls::clientTls).ifPresent(client::setSslContextFactory);
        client.setExecutor(threads);
        client.setName(name);
        client.setConnectTimeout(timeout.toMillis());
        client.setIdleTimeout(30_000);
        client.setMaxConnectionsPerDestination(connectionsPerPeer);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException(name + " did not start: " + e.getMessage(), e);
        }
        return client;
    }

    /** A request to {@code path} of a peer's base URL (with or without a trailing slash). */
    static Request request(HttpClient client, URI peer, String path) {
        return client.newRequest(peer.toString().replaceAll("/+$", "") + path);
    }

    /** Stops a client, best effort: its threads are daemons. */
    static void stop(HttpClient client) {
        try {
            client.stop();
        } catch (Exception e) {
            // nothing left to release that outlives the process
        }
    }

    static <T> CompletableFuture<T> send(Request request, String authorization, long timeoutMillis, int maxAnswerBytes,
                                         Function<byte[], T> parse) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        request.headers(h -> h.put(HttpHeader.AUTHORIZATION, authorization))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .send(new BufferingResponseListener(maxAnswerBytes) {
                    @Override
                    public void onComplete(Result result) {
                        if (result.isFailed()) {
                            answer.completeExceptionally(result.getFailure());
                            return;
                        }
                        int status = result.getResponse().getStatus();
                        if (status != 200) {
                            answer.completeExceptionally(new IllegalStateException(request.getURI() + " answered HTTP "
                                    + status + ": " + getContentAsString(StandardCharsets.UTF_8)));
                            return;
                        }
                        try {
                            answer.complete(parse.apply(getContent()));
                        } catch (RuntimeException e) {
                            answer.completeExceptionally(e);
                        }
                    }
                });
        return answer;
    }
}
