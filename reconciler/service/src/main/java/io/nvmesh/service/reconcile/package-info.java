/**
 * The instance's reconcile loop: watches the desired branch, feeds volume names to the ownership table, runs the core
 * reconciler for the volumes this instance owns, records agents' inventory on the state ref and pushes each owned
 * node its segments or attachments. All Git work runs on one thread of its own, never on Jetty's.
 */
package io.nvmesh.service.reconcile;
