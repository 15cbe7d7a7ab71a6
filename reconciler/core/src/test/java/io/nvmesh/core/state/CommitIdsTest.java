package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommitIdsTest {

    @Test
    void showsTheFirstSevenDigitsAsGitLogOnelineDoes() {
        assertThat(CommitIds.shortId("3f9c2a1e0b7d4c5a6e8f90123456789abcdef012")).isEqualTo("3f9c2a1");
    }

    @Test
    void keepsAnIdShorterThanSevenWhole() {
        assertThat(CommitIds.shortId("3f9c")).isEqualTo("3f9c");
    }

    @Test
    void saysNoneForNoCommit() {
        assertThat(CommitIds.shortId("")).isEqualTo("(none)");
        assertThat(CommitIds.shortId(null)).isEqualTo("(none)");
    }
}
