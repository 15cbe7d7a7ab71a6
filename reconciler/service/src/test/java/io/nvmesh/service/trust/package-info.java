/**
 * Adversarial tests (issue #14, docs/security.md): real instances on loopback and real clients replay each attack of
 * someone holding one credential, or none, and assert the refusal, that no instance's view changed, and that nothing
 * of a refused message reached the recorded state or the counters.
 */
package io.nvmesh.service.trust;
