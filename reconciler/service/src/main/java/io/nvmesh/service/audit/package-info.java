/**
 * The audit log: who wrote or administered what, and every refused credential or identity, as JSON lines written off
 * the request threads to a file rotated by size. Never a token, a header or a body.
 */
package io.nvmesh.service.audit;
