/**
 * Credentials of the callers of a reconciler instance (people, instances, node agents), each bound to its own name
 * and role, and the file that holds their token hashes: written by {@code nvmesh token}, read and reloaded by the
 * instances.
 */
package io.nvmesh.core.credentials;
