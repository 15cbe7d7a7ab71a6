package io.nvmesh.core.state;

/**
 * Signs a commit as it is made: given the commit object's bytes without a signature, returns the ASCII-armoured
 * detached signature Git stores in the commit's {@code gpgsig} header. Implemented by
 * {@code io.nvmesh.core.signature}, so no signing library reaches the store.
 */
@FunctionalInterface
public interface CommitSigner {

    byte[] sign(byte[] payload);
}
