/**
 * The instance's side of the node agents: {@link io.nvmesh.service.nodes.AgentHub} takes the connections of the nodes
 * this instance owns (redirecting the others), keeps each node's latest report, sends commands, and batches reported
 * inventory changes for the recorder ({@code AgentSession}: one connection's message order; {@code DriveLedger}: which
 * target holds which drive). Transport-free: the HTTP package adapts WebSocket sessions to {@link
 * io.nvmesh.service.nodes.AgentLink}.
 */
package io.nvmesh.service.nodes;
