package io.nvmesh.service.web;

import static io.nvmesh.service.web.Fleets.GB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.agent.Performance;
import io.nvmesh.service.nodes.ReportedNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class FleetTableTest {

    private static FleetTable.Query query(String sort, int offset, int limit) {
        return new FleetTable.Query("", false, Set.of(), sort, false, offset, limit);
    }

    @Test
    void usedBytesAreSummedFromRecordedExtentsPerDrive() {
        RecordedState s = Fleets.state(List.of(Fleets.target(1, 2), Fleets.target(2, 2), Fleets.target(3, 2)),
                Fleets.mirrored("a", 10, 1, 2), Fleets.mirrored("b", 5, 1, 3));
        List<FleetTable.TargetRow> rows = FleetTable.rows(s, List.of(), id -> "r1");
        assertThat(rows).extracting(FleetTable.TargetRow::id).containsExactly("t-001", "t-002", "t-003");
        assertThat(rows.get(0).drives().get(0).used()).isEqualTo(15 * GB);
        assertThat(rows.get(0).drives().get(1).used()).isZero();
        assertThat(rows.get(0).used()).isEqualTo(15 * GB);
        assertThat(rows.get(1).used()).isEqualTo(10 * GB);
        assertThat(rows.get(2).used()).isEqualTo(5 * GB);
        assertThat(rows).allSatisfy(r -> assertThat(r.live()).isFalse());
    }

    @Test
    void aLiveReportOverridesTheRecordedHealthOfATargetOwnedHere() {
        Target recorded = Fleets.target(1, 2);
        RecordedState s = Fleets.state(List.of(recorded, Fleets.target(2, 2)));
        Target reported = Fleets.target(1, 2, DriveHealth.OK, DriveHealth.FAILED);
        ReportedNode live = new ReportedNode("t-001", NodeKind.TARGET, "r1", true, reported.labels(),
                TargetHealth.HEALTHY, reported.drives(), Performance.IDLE, 1, 2, 3);
        List<FleetTable.TargetRow> rows = FleetTable.rows(s, List.of(live), id -> id.equals("t-001") ? "r1" : "r2");
        assertThat(rows.get(0).live()).isTrue();
        assertThat(rows.get(0).drives().get(1).health()).isEqualTo("failed");
        assertThat(rows.get(0).severity()).isEqualTo(3);
        assertThat(rows.get(0).problems()).isEqualTo(1);
        // Its own health (what placement reads) stays healthy; what people read is the worse of it and its drives'.
        assertThat(rows.get(0).health()).isEqualTo("healthy");
        assertThat(rows.get(0).overallHealth()).isEqualTo("degraded");
        assertThat(rows.get(0).overallReason()).isEqualTo("1 drive failed");
        assertThat(rows.get(1).overallHealth()).isEqualTo("healthy");
        assertThat(FleetTable.page("c", rows, new FleetTable.Query("", true, Set.of(), "id", false, 0, 10)).overall())
                .as("the whole fleet, before the filter").containsExactly(entry("degraded", 1), entry("healthy", 1));
        assertThat(rows.get(1).owner()).isEqualTo("r2");
        assertThat(rows.get(1).severity()).isZero();
    }

    @Test
    void pagesCoverEveryTargetOnceInTheChosenOrder() {
        List<Target> targets = new ArrayList<>();
        for (int i = 1; i <= 23; i++) {
            targets.add(i % 7 == 0 ? Fleets.target(i, 3, DriveHealth.OK, DriveHealth.FAILED)
                    : i % 5 == 0 ? Fleets.target(i, 3, DriveHealth.CORDONED) : Fleets.target(i, 3));
        }
        RecordedState s = Fleets.state(targets, Fleets.mirrored("v", 100, 3, 4), Fleets.mirrored("w", 300, 4, 9));
        List<FleetTable.TargetRow> rows = FleetTable.rows(s, List.of(), id -> "r1");
        for (String sort : FleetTable.SORTS) {
            List<String> seen = new ArrayList<>();
            for (int offset = 0; offset < 23; offset += 10) {
                FleetTable.Page p = FleetTable.page("c", rows, query(sort, offset, 10));
                assertThat(p.total()).isEqualTo(23);
                assertThat(p.matching()).isEqualTo(23);
                p.items().forEach(r -> seen.add(r.id()));
            }
            assertThat(seen).as(sort).hasSize(23).doesNotHaveDuplicates();
        }
        FleetTable.Page worst = FleetTable.page("c", rows, query("health", 0, 5));
        assertThat(worst.items()).extracting(FleetTable.TargetRow::id).startsWith("t-007", "t-014", "t-021",
                "t-005", "t-010");
        FleetTable.Page fullest = FleetTable.page("c", rows, query("fill", 0, 3));
        assertThat(fullest.items()).extracting(FleetTable.TargetRow::id).containsExactly("t-004", "t-009", "t-003");
        FleetTable.Page reversed = FleetTable.page("c", rows, new FleetTable.Query("", false, Set.of(), "id", true,
                0, 2));
        assertThat(reversed.items()).extracting(FleetTable.TargetRow::id).containsExactly("t-023", "t-022");
    }

    @Test
    void filtersByTextProblemsAndIds() {
        RecordedState s = Fleets.state(List.of(Fleets.target(1, 2), Fleets.target(2, 2, DriveHealth.MISSING),
                Fleets.target(12, 2)));
        List<FleetTable.TargetRow> rows = FleetTable.rows(s, List.of(), id -> "r1");
        assertThat(FleetTable.page("c", rows, new FleetTable.Query("RACK-1", false, Set.of(), "id", false, 0, 50))
                .items()).extracting(FleetTable.TargetRow::id).containsExactly("t-001", "t-012");
        assertThat(FleetTable.page("c", rows, new FleetTable.Query("t-012-d1", false, Set.of(), "id", false, 0, 50))
                .items()).extracting(FleetTable.TargetRow::id).containsExactly("t-012");
        FleetTable.Page problems = FleetTable.page("c", rows, new FleetTable.Query("", true, Set.of(), "id", false, 0,
                50));
        assertThat(problems.items()).extracting(FleetTable.TargetRow::id).containsExactly("t-002");
        assertThat(problems.matching()).isEqualTo(1);
        assertThat(problems.total()).isEqualTo(3);
        assertThat(FleetTable.page("c", rows, new FleetTable.Query("", false, Set.of("t-002", "t-012"), "id", false,
                0, 50)).items()).extracting(FleetTable.TargetRow::id).containsExactly("t-002", "t-012");
        assertThat(FleetTable.page("c", rows, query("id", 99, 10)).items()).isEmpty();
    }

    @Test
    void rejectsUnknownSortsAndOversizedPages() {
        assertThatThrownBy(() -> query("speed", 0, 10)).hasMessageContaining("sort must be one of");
        assertThatThrownBy(() -> query("id", 0, FleetTable.MAX_LIMIT + 1)).hasMessageContaining("limit");
        assertThatThrownBy(() -> query("id", -1, 10)).hasMessageContaining("offset");
    }
}
