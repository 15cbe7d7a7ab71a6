package io.nvmesh.core.allocation;

/** What a segment holds in its group. Mirror and parity bytes are counted as redundant space. */
public enum Role {
    DATA,
    MIRROR,
    PARITY;

    public boolean redundant() {
        return this != DATA;
    }
}
