package io.nvmesh.service.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** One authenticated call to a peer instance whose 200 answer is parsed; anything else fails the future. */
final class PeerCalls {

    private PeerCalls() {
    }

    /** A started client for calls to peers: daemon threads named after {@code name}, a few connections per peer. */
    static HttpClient startClient(String name, Duration timeout) {
        QueuedThreadPool threads = new QueuedThreadPool(8, 1);
        threads.setName(name);
        threads.setDaemon(true);
        HttpClient client = new HttpClient();
        client.setExecutor(threads);
        client.setName(name);
        client.setConnectTimeout(timeout.toMillis());
        client.setIdleTimeout(30_000);
        client.setMaxConnectionsPerDestination(4);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException(name + " did not start: " + e.getMessage(), e);
        }
        return client;
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
