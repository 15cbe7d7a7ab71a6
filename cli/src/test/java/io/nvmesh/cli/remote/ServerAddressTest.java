package io.nvmesh.cli.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerAddressTest {

    @TempDir
    Path home;

    private Map<String, String> env(String... kv) {
        Map<String, String> m = new java.util.HashMap<>(Map.of("NVMESH_HOME", home.toString()));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void theCommandLineWinsOverTheEnvironmentWhichWinsOverTheDemoFile() throws Exception {
        Files.createDirectories(home.resolve("demo"));
        Files.writeString(home.resolve("demo/client.properties"), "server=http://127.0.0.1:3\ntoken=from-file\n");

        assertThat(ServerAddress.resolve(null, null, env()).server()).hasToString("http://127.0.0.1:3");
        assertThat(ServerAddress.resolve(null, null, env()).token()).isEqualTo("from-file");
        ServerAddress fromEnv = ServerAddress.resolve(null, null, env("NVMESH_SERVER", "http://127.0.0.1:2/",
                "NVMESH_TOKEN", "from-env"));
        assertThat(fromEnv.server()).hasToString("http://127.0.0.1:2");
        assertThat(fromEnv.token()).isEqualTo("from-env");
        ServerAddress given = ServerAddress.resolve("http://127.0.0.1:1", "given", env("NVMESH_SERVER",
                "http://127.0.0.1:2"));
        assertThat(given.server()).hasToString("http://127.0.0.1:1");
        assertThat(given.token()).isEqualTo("given");
    }

    @Test
    void withoutAnyServerItSaysHowToNameOne() {
        assertThatThrownBy(() -> ServerAddress.resolve(null, null, env()))
                .hasMessageContaining("--server URL").hasMessageContaining("NVMESH_SERVER")
                .hasMessageContaining("nvmesh demo");
    }

    @Test
    void aTokenPastedWithALineBreakIsNamedNotSentOn() {
        assertThatThrownBy(() -> ServerAddress.resolve(null, null, env("NVMESH_SERVER", "http://127.0.0.1:2",
                "NVMESH_TOKEN", "nvmesh_abc\n(any")))
                .hasMessage("the token (NVMESH_TOKEN) holds spaces, line breaks or other characters a token never "
                        + "has; copy it again");
    }
}
