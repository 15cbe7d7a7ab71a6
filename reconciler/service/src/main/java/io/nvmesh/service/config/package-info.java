/**
 * The instance configuration file ({@code nvmesh reconciler --config FILE}): the {@link
 * io.nvmesh.service.config.InstanceConfig} record and its safe YAML loader, which reports every problem with
 * file:line:column.
 */
package io.nvmesh.service.config;
