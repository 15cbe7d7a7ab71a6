/**
 * Reading manifests from files, standard input or memory and checking them: YAML with file:line:column, the JSON
 * Schema of each kind, then the meaning checks that span documents. SnakeYAML and networknt stay inside this package.
 */
package io.nvmesh.schema.validation;
