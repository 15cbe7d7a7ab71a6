/**
 * Events delivered only to those who subscribed: topics, per-topic sequences, a bounded replay buffer per topic, and
 * routing between instances by declared interest, so that an event nobody wants never crosses the network.
 */
package io.nvmesh.service.events;
