/**
 * What the web dashboard needs beyond the REST API: its static assets from the classpath, bounded histories of the
 * agents' performance reports and of the cluster's capacity, the fleet's targets and drives as one sortable,
 * filterable table, a target's overall health as people read it, and the performance of a volume derived from the
 * targets that hold it. Plain Java; the HTTP package serves it.
 */
package io.nvmesh.service.web;
