/**
 * The GitOps loop on Git alone: read desired manifests from a branch and recorded state from the state ref, preview
 * the difference ({@link io.nvmesh.core.reconcile.DesiredDiff}), publish desired changes
 * ({@link io.nvmesh.core.reconcile.DesiredApply}), turn them into allocations by compare-and-swap
 * ({@link io.nvmesh.core.reconcile.Reconciler}), and prove the result consistent ({@link io.nvmesh.core.reconcile.Fsck}).
 */
package io.nvmesh.core.reconcile;
