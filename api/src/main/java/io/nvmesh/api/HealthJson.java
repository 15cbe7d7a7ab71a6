package io.nvmesh.api;

/** {@code GET /healthz}: the instance is serving ({@code status} is {@code ok}); no token needed. */
public record HealthJson(String status, String id, long epoch) {
}
