package io.nvmesh.service;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A Server-Sent Events reader for tests: one connection, its lines collected as they arrive, grouped into frames
 * (the lines up to a blank line).
 */
public final class SseClient implements AutoCloseable {

    private final List<String> lines = new ArrayList<>();
    private final CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> response;

    private SseClient(HttpClient http, URI uri, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        response = http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofLines());
        response.thenAcceptAsync(r -> {
            try {
                r.body().forEach(line -> {
                    synchronized (lines) {
                        lines.add(line);
                    }
                });
            } catch (RuntimeException e) {
                // closed
            }
        }, command -> {
            Thread t = new Thread(command, "sse-test-reader");
            t.setDaemon(true);
            t.start();
        });
    }

    public static SseClient open(HttpClient http, URI base, String query, String token) {
        return new SseClient(http, URI.create(base + "/v1/events?" + query), token);
    }

    public int status() {
        return response.join().statusCode();
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The {@code data:} of ordinary events (no {@code event:} line), in order. */
    public List<String> eventData() {
        return frames().stream().filter(f -> f.stream().noneMatch(l -> l.startsWith("event:")))
                .flatMap(f -> f.stream().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6))).toList();
    }

    /** The {@code id:} of ordinary events, in order. */
    List<Long> ids() {
        return lines().stream().filter(l -> l.startsWith("id: ")).map(l -> Long.parseLong(l.substring(4))).toList();
    }

    /** The data of frames whose {@code event:} is {@code name}. */
    List<String> named(String name) {
        return frames().stream().filter(f -> f.contains("event: " + name))
                .flatMap(f -> f.stream().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6))).toList();
    }

    public boolean subscribed() {
        return lines().stream().anyMatch(l -> l.startsWith(": subscribed"));
    }

    public List<List<String>> frames() {
        List<List<String>> frames = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String l : lines()) {
            if (l.isEmpty()) {
                if (!current.isEmpty()) {
                    frames.add(current);
                }
                current = new ArrayList<>();
            } else {
                current.add(l);
            }
        }
        return frames;
    }

    @Override
    public void close() {
        response.cancel(true);
        response.thenAccept(r -> {
            try {
                r.body().close();
            } catch (RuntimeException e) {
                // already closed
            }
        });
    }
}
