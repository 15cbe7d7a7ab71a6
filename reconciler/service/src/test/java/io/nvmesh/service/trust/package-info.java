/**
 * Adversarial tests: real instances on loopback replaying attacks with real credentials, asserting the refusal and
 * that no instance's view changed.
 */
package io.nvmesh.service.trust;
