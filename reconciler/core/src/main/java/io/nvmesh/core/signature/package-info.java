/**
 * Signed desired commits: which OpenPGP keys a repository or an instance trusts, whether a desired commit is signed by
 * one of them, and signing the commits {@code nvmesh apply --sign} makes. BouncyCastle stays in this package.
 */
package io.nvmesh.core.signature;
