/** Desired-state manifests: immutable records, YAML loading that keeps file:line:column, and validation. */
package io.nvmesh.schema;
