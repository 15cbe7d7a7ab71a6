/**
 * Recorded state as files on the state ref: one JSON file per target, client and volume plus {@code reconciled.json},
 * written with deterministic bytes so that an unchanged object never makes a Git change. Jackson stays in here.
 */
package io.nvmesh.core.record;
