/**
 * The node-agent protocol (messages, their JSON codec, close codes) and the agent that speaks it: {@link
 * io.nvmesh.service.agent.NodeAgent} dials any reconciler instance, follows redirects to the owner of its node and
 * sends reports. Many agents share one {@link io.nvmesh.service.agent.AgentRuntime}. Jetty and Jackson stay inside.
 */
package io.nvmesh.service.agent;
