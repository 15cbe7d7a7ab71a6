/**
 * What the web dashboard needs beyond the REST API: its static assets from the classpath, a bounded history of the
 * agents' performance reports, the fleet's targets and drives as one sortable, filterable table, and the performance
 * of a volume derived from the targets that hold it. Plain Java; the HTTP package serves it.
 */
package io.nvmesh.service.web;
