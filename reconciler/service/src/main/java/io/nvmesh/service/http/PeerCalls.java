package io.nvmesh.service.http;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;

/** One authenticated call to a peer instance whose 200 answer is parsed; anything else fails the future. */
final class PeerCalls {

    private PeerCalls() {
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
