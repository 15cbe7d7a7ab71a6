/**
 * The command line's side of the reconciler's HTTP API: where the server is and which token to send, requests with
 * one-line failures, and rendering of the answers as tables, JSON or YAML. JSON and YAML libraries stay inside.
 */
package io.nvmesh.cli.remote;
