package io.nvmesh.api;

/**
 * The payload of a {@code state} event on {@code client/<id>}, and of its reset snapshot.
 *
 * @param state {@code connected} or {@code lost}
 * @param owner id of the instance the client's agent is (or was last) connected to
 */
public record ClientStateJson(String client, String state, String owner) {
}
