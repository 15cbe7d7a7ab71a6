package io.nvmesh.service.events;

/**
 * What an instance's hub has done since it started.
 *
 * @param published       events raised here
 * @param eventMessages   requests carrying events sent to peers
 * @param eventsSent      events carried by them (one event to two peers counts two)
 * @param received        events received from peers
 * @param unwanted        of those, events on topics this instance had no interest in (routing waste; expect 0)
 * @param interestMessages interest pushes and digest checks sent to peers
 * @param delivered       items handed to local subscriptions
 * @param resets          resets handed to local subscriptions
 * @param lostToPeers     events that never reached a peer: dropped from a full link queue, or in a request that
 *                        failed (not retried; the peer's consumers see the gap in the sequence)
 */
public record EventStats(long published, long eventMessages, long eventsSent, long received, long unwanted,
                         long interestMessages, long delivered, long resets, long lostToPeers) {
}
