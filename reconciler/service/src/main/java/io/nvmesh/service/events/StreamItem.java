package io.nvmesh.service.events;

/** What a subscription yields: an event, a reset (the consumer must re-read a snapshot), or a keepalive tick. */
public sealed interface StreamItem permits Event, Reset, Keepalive {
}
