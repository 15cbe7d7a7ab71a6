/**
 * Build-time tools of the distribution: man pages and shell completion scripts generated from the command line's
 * picocli model, so that what {@code man nvmesh-diff} says is what {@code nvmesh diff --help} says.
 */
package io.nvmesh.packaging;
