/**
 * What an instance tells Prometheus at {@code GET /metrics}: reconcile passes, ownership, agent connections, the
 * cluster counters, event traffic and the JVM, in one registry per instance (many instances share a JVM in tests).
 */
package io.nvmesh.service.metrics;
