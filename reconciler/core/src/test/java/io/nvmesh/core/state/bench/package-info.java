/** Scenario runners that measure the Git state store and print a table; run by hand, never asserted in tests. */
package io.nvmesh.core.state.bench;
