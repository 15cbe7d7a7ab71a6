package io.nvmesh.service.web;

import static io.nvmesh.core.allocation.DriveHealth.CORDONED;
import static io.nvmesh.core.allocation.DriveHealth.FAILED;
import static io.nvmesh.core.allocation.DriveHealth.MISSING;
import static io.nvmesh.core.allocation.DriveHealth.OK;
import static io.nvmesh.core.allocation.TargetHealth.HEALTHY;
import static io.nvmesh.core.allocation.TargetHealth.UNHEALTHY;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class OverallHealthTest {

    @Test
    void aTargetWithAFailedDriveIsDegradedAndSaysWhy() {
        assertThat(OverallHealth.of(HEALTHY, List.of(OK, FAILED, OK)).text()).isEqualTo("degraded: 1 drive failed");
    }

    @Test
    void theReasonCountsEveryDriveThatIsNotOkWorstFirst() {
        assertThat(OverallHealth.of(HEALTHY, List.of(CORDONED, FAILED, OK, MISSING, FAILED)).text())
                .isEqualTo("degraded: 2 drives failed, 1 missing, 1 cordoned");
        assertThat(OverallHealth.of(HEALTHY, List.of(MISSING, MISSING)).text()).isEqualTo("degraded: 2 drives missing");
    }

    @Test
    void aCordonedDriveIsNamedButDoesNotDegradeTheTarget() {
        assertThat(OverallHealth.of(HEALTHY, List.of(OK, CORDONED)).text()).isEqualTo("healthy: 1 drive cordoned");
    }

    @Test
    void anUnhealthyTargetStaysUnhealthyWhateverItsDrives() {
        assertThat(OverallHealth.of(UNHEALTHY, List.of(OK)).text()).isEqualTo("unhealthy");
        assertThat(OverallHealth.of(UNHEALTHY, List.of(FAILED)).text()).isEqualTo("unhealthy: 1 drive failed");
    }

    @Test
    void allDrivesOkIsPlainlyHealthy() {
        assertThat(OverallHealth.of(HEALTHY, List.of(OK, OK))).isEqualTo(new OverallHealth("healthy", ""));
        assertThat(OverallHealth.of(HEALTHY, List.of()).text()).isEqualTo("healthy");
    }
}
