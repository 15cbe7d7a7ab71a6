/**
 * Signed desired commits: which OpenPGP and SSH keys a repository or an instance trusts, whether a desired commit is
 * signed by one of them, and signing the commits {@code nvmesh apply --sign} makes. BouncyCastle and JGit's SSH
 * signing stay in this package.
 */
package io.nvmesh.core.signature;
