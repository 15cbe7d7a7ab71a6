/**
 * Fault injection against the safety invariants of recorded state (docs: ARCHITECTURE "Safety invariants"): real
 * repositories, a real {@code git daemon}, real reconciler processes killed, partitioned and fed a lost or damaged
 * state, each case ending with the whole recorded history checked. {@code SafetyScenario} runs the cases longer.
 */
package io.nvmesh.service.safety;
