/**
 * Service processes the command line starts: reconciler instances and the simulated fleet run as child JVMs from the
 * service jar (the CLI never links the service module), with the same JVM flags as the launcher.
 */
package io.nvmesh.cli.process;
