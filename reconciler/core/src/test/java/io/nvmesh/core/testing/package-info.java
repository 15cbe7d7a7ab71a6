/**
 * Fixtures every module's tests share, published in core's test-jar: a fluent builder for desired and recorded
 * commits ({@link io.nvmesh.core.testing.TestRepo}), the manifests tests keep writing ({@link
 * io.nvmesh.core.testing.Policies}), real Git servers on loopback ({@link io.nvmesh.core.testing.GitDaemon}, {@link
 * io.nvmesh.core.testing.SshServer}) and ports to give them ({@link io.nvmesh.core.testing.TestPorts}).
 */
package io.nvmesh.core.testing;
