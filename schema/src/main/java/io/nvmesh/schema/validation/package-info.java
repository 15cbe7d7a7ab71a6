/**
 * Reading manifests from files, standard input or memory and checking them: YAML with file:line:column, the JSON
 * Schema of each kind, then the meaning checks that span documents. nvmesh's other YAML files (inventory, reconciler
 * and agent configurations, credentials) are read by the same reader against their own schemas ({@link
 * io.nvmesh.schema.validation.CheckedFile}). SnakeYAML and networknt stay inside this package.
 */
package io.nvmesh.schema.validation;
