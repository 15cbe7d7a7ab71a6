/** The pure engine every reconciler and {@code nvmesh diff} share: allocation planning, capacity, Git state. */
package io.nvmesh.core;
