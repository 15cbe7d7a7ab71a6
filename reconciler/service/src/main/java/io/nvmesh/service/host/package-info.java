/**
 * The node agent of a real Linux host: inventory and health from sysfs and nvme-cli, a target's segments served
 * through device-mapper and the kernel's NVMe-oF target (configfs), a client's volumes connected with nvme-cli and
 * assembled with md and device-mapper. Every change is a {@link io.nvmesh.service.host.HostOp} planned first, so a
 * dry run prints exactly what a live run does (docs/agent.md).
 */
package io.nvmesh.service.host;
