/**
 * {@code nvmesh demo}: the embedded default on one machine. A local bare repository seeded from the samples, three
 * reconciler instances and a simulated fleet as child processes, and the file that tells {@code nvmesh get} where
 * they are.
 */
package io.nvmesh.cli.demo;
