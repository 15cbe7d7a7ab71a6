/** The reconciler daemon: HTTP API, membership and ownership, counters, events, node agents (not built yet). */
package io.nvmesh.service;
