/**
 * The HTTP face of a reconciler instance: an embedded Jetty 12 server on the core Handler API with a small router,
 * bearer-token access rules, JSON bodies and RFC 9457 problem details; and the Jetty client that carries heartbeats to
 * peers. Jetty and Jackson types stay inside this package.
 */
package io.nvmesh.service.http;
