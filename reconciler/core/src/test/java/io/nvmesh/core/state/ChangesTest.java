package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ChangesTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "/abs", "dir/", "a//b", "a/./b", "a/../b", ".git/config", "x/.GIT/y", "back\\slash"})
    void refusesPathsGitCannotStoreOrThatEscapeTheTree(String path) {
        assertThatThrownBy(() -> Changes.builder().put(path, "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLastWordOnAPathWins() {
        Changes c = Changes.builder().put("a", "1").delete("a").delete("b").put("b", "2").build();

        assertThat(c.deletes()).containsExactly("a");
        assertThat(c.puts()).containsOnlyKeys("b");
        assertThat(c.size()).isEqualTo(2);
    }

    @Test
    void refusesAFileAndAFileBeneathItInOneCommit() {
        assertThatThrownBy(() -> Changes.builder().put("vol", "1").put("vol/extent", "2").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot put both \"vol\" and \"vol/extent\"");
    }

    @Test
    void putOwnedTakesTheArrayOverAndOtherwiseActsLikePut() {
        byte[] content = {1, 2, 3};
        Changes c = Changes.builder().delete("a").putOwned("a", content).build();

        assertThat(c.puts().get("a")).isSameAs(content);
        assertThat(c.deletes()).isEmpty();
        assertThatThrownBy(() -> Changes.builder().putOwned("../a", content))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsItsOwnCopyOfTheBytes() {
        byte[] content = {1, 2, 3};
        Changes c = Changes.put("a", content);
        content[0] = 9;

        assertThat(c.puts().get("a")).containsExactly(1, 2, 3);
    }
}
