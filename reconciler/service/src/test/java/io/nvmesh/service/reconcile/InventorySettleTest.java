package io.nvmesh.service.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.record.VolumeRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InventorySettleTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final InventorySettle settle = new InventorySettle(Duration.ofSeconds(3), now::get);

    private static Inventory targets(int n) {
        List<Target> ts = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            ts.add(Target.of("t" + i, Map.of("rack", "r" + i), List.of(Drive.of("S" + i, 1L << 40))));
        }
        return new Inventory(ts, List.of());
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void holdsUntilTheInventoryWasUnchangedForTheSettleTime() {
        assertThat(settle.hold()).startsWith(VolumeRecord.WAITING).contains("none observed yet");

        settle.observe(targets(2));
        advance(Duration.ofSeconds(2));
        assertThat(settle.hold()).isEqualTo(VolumeRecord.WAITING + "the recorded inventory to settle (it changed "
                + "2000 ms ago; 3000 ms without a change are needed): capacity: max is sized once, at create");

        settle.observe(targets(3)); // a target reported in: the wait starts again
        advance(Duration.ofSeconds(2));
        assertThat(settle.hold()).contains("it changed 2000 ms ago");

        settle.observe(targets(3)); // an equal inventory (e.g. a volume was placed) does not
        advance(Duration.ofSeconds(1));
        assertThat(settle.hold()).isEmpty();
    }
}
