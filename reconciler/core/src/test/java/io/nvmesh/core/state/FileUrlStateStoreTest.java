package io.nvmesh.core.state;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The contract through a {@code file://} URL: JGit's own transport, a mirror per writer, pushes with a lease. */
class FileUrlStateStoreTest extends StateStoreContract {

    @TempDir
    Path tmp;

    private String url;

    @BeforeEach
    void createOrigin() {
        Path origin = tmp.resolve("origin.git");
        StateStore.openOrCreate(origin).close();
        url = origin.toUri().toString();
    }

    @Override
    StateStore newWriter(String name) {
        return StateStore.remote(url, tmp.resolve("cache-" + name), StoreOptions.forWriter(name));
    }
}
