/**
 * Who is calling: the credentials of people, reconciler instances and node agents (each bound to its own id), read
 * from a file the instance reloads, and the {@link io.nvmesh.service.auth.Caller} a request is made by. The HTTP
 * layer turns a bearer token into a caller here; a client certificate will resolve to the same caller.
 */
package io.nvmesh.service.auth;
