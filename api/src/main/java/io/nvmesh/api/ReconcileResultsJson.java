package io.nvmesh.api;

import java.util.List;

/** {@code GET /v1/reconcile/results}: the answering instance's latest reconcile passes, newest first. */
public record ReconcileResultsJson(String instance, List<PassResult> results) {
}
