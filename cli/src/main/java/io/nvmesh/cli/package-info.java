/**
 * The {@code nvmesh} command line: thin Picocli commands that parse options, call one service and render its
 * result. {@link io.nvmesh.cli.Failures} is the one place where exceptions become exit codes.
 */
package io.nvmesh.cli;
