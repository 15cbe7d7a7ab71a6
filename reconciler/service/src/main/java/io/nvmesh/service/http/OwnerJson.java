package io.nvmesh.service.http;

import java.util.List;

/**
 * {@code GET /v1/cluster/owner?key=...}.
 *
 * @param known   whether the key is one this instance tracks; if not, {@code owner} is the member it would go to
 *                unless that member is full
 * @param ranking every live member, best first: where the key goes when members ahead of it are full or dead
 */
record OwnerJson(String key, String owner, boolean self, boolean known, long membershipVersion, List<String> ranking) {
}
