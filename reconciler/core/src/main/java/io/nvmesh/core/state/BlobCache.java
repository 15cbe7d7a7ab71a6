package io.nvmesh.core.state;

import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.jgit.lib.ObjectId;

/**
 * Blob contents by id, least recently used out first, bounded in bytes. Blobs never change, and successive snapshots
 * of the state ref share almost all of them, so a writer that re-reads after a lost race reads only what moved.
 */
final class BlobCache {

    private final long budget;
    private long used;
    private final LinkedHashMap<ObjectId, byte[]> entries = new LinkedHashMap<>(1024, 0.75f, true);

    BlobCache(long budgetBytes) {
        this.budget = budgetBytes;
    }

    synchronized byte[] get(ObjectId id) {
        return entries.get(id);
    }

    synchronized void put(ObjectId id, byte[] bytes) {
        if (bytes.length > budget / 16) {
            return;
        }
        byte[] old = entries.put(id.copy(), bytes);
        if (old != null) {
            used -= old.length;
        }
        used += bytes.length;
        var it = entries.entrySet().iterator();
        while (used > budget && it.hasNext()) {
            Map.Entry<ObjectId, byte[]> e = it.next();
            used -= e.getValue().length;
            it.remove();
        }
    }
}
