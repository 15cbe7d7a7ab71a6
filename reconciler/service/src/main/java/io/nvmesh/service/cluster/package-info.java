/**
 * Who is alive and who owns what: heartbeats between reconciler instances ({@link io.nvmesh.service.cluster.Membership})
 * and the deterministic, load-bounded rendezvous hashing that turns the live member list into owners for node ids and
 * volume names ({@link io.nvmesh.service.cluster.OwnershipRing}).
 */
package io.nvmesh.service.cluster;
