/**
 * Adversarial tests (issue #14): real instances on loopback and real clients replay each attack of someone holding
 * one credential, and assert the refusal and that nothing of a refused message reached the recorded state.
 */
package io.nvmesh.service.trust;
