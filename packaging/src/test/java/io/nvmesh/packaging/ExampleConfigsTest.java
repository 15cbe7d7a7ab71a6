package io.nvmesh.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.service.config.ConfigLoader;
import io.nvmesh.service.config.InstanceConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The instance configuration shipped as conf/r1.yaml (and /etc/nvmesh/r1.yaml) loads with the service's own loader,
 * as the unit nvmesh-reconciler@r1 will load it, and says what its comments say. The simulator's settings are run in
 * {@link DistributionIT}.
 */
class ExampleConfigsTest {

    @Test
    void shippedInstanceConfigurationLoads() {
        InstanceConfig config = ConfigLoader.load(Path.of("src/dist/conf/r1.yaml"));
        assertThat(config.id()).isEqualTo("r1");
        assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/nvmesh/r1"));
        assertThat(config.gitRemote()).isEqualTo("/var/lib/nvmesh/r1/desired.git");
        assertThat(config.listenPort()).isEqualTo(7420);
    }
}
