/**
 * The inventory import format (YAML: targets with their drives, clients), read with line:column for every problem.
 * SnakeYAML stays in here.
 */
package io.nvmesh.core.inventory;
