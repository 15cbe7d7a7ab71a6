/**
 * The reconciler daemon: {@link io.nvmesh.service.ReconcilerNode} wires configuration, HTTP server, membership and
 * ownership into one instance; {@link io.nvmesh.service.ReconcilerMain} is the process entry point.
 */
package io.nvmesh.service;
