/**
 * The answers of a reconciler's HTTP API that the command line reads, and the payloads of its events, as records: the
 * service writes them, the CLI binds them with Jackson, and a test holds them to docs/openapi.yaml. Plain values with no library types, so both
 * sides depend on this module and on nothing else through it; peer-to-peer shapes stay in the service.
 */
package io.nvmesh.api;
