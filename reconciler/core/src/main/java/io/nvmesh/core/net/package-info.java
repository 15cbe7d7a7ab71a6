/** Small network helpers shared by the service, the command line and their tests. */
package io.nvmesh.core.net;
