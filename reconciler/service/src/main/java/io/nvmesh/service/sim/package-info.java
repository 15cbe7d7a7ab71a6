/**
 * A simulated fleet of NVMe-over-fabrics targets and clients, deterministic from a seed, whose agents speak the real
 * protocol to real reconciler instances; with fault injection (fail a drive, stop a target, move a drive, kill a
 * client) and {@link io.nvmesh.service.sim.SimMain}, a process with a small loopback HTTP control.
 */
package io.nvmesh.service.sim;
