/**
 * Recorded state in Git with compare-and-swap: read a ref's files, commit changes to it without a working tree, and
 * publish only if the ref still points where the writer read it. JGit stays inside this package.
 */
package io.nvmesh.core.state;
