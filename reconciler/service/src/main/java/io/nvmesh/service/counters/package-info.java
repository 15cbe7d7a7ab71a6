/**
 * Counters, the cache of hard calculations: capacity and health totals kept by deltas in an off-heap Chronicle Map
 * per instance, each partition's contribution written by its owner only and replicated to peers by (claim, epoch,
 * sequence) so that duplicates, reordering and ownership handovers never count anything twice. See docs/counters.md.
 */
package io.nvmesh.service.counters;
