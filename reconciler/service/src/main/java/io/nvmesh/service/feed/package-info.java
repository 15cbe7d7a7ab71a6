/**
 * What feeds the counters and the events of one instance: the recorded state the reconcile loop observes, the
 * reports of the agents connected here, and the counters' and the cluster's own changes.
 */
package io.nvmesh.service.feed;
