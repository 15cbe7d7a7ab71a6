/**
 * The allocation engine: places volume segments on drives so that every RAID group keeps its policy's separation,
 * keeps capacity counters, and checks recorded state. Everything here is pure and deterministic, so {@code nvmesh
 * diff} shows byte for byte what a reconciler will do.
 */
package io.nvmesh.core.allocation;
