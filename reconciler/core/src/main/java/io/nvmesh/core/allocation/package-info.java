/**
 * The allocation engine: places volume segments on drives so that every RAID group keeps its policy's separation,
 * keeps capacity counters, checks recorded state, and says which groups still hold their data ({@link
 * io.nvmesh.core.allocation.LiveCopies}). Everything here is pure and deterministic, so {@code nvmesh
 * diff} shows byte for byte what a reconciler will do.
 */
package io.nvmesh.core.allocation;
