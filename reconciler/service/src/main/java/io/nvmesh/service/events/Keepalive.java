package io.nvmesh.service.events;

/** Nothing happened for a keepalive interval; a stream writes a comment so proxies and clients see it is alive. */
public record Keepalive() implements StreamItem {

    static final Keepalive INSTANCE = new Keepalive();
}
