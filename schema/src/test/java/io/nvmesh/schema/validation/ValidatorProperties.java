package io.nvmesh.schema.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** Whatever the input, validation ends with a report: problems are data, never exceptions. */
class ValidatorProperties {

    private static final ManifestValidator VALIDATOR = ManifestFixturesTest.VALIDATOR;

    @Property(tries = 300)
    void neverThrowsOnArbitraryBytes(@ForAll @Size(max = 300) byte[] bytes) {
        ValidationReport report = VALIDATOR.validateSources(List.of(new ManifestSource("x.yaml", bytes)));

        assertThat(report.problems()).allSatisfy(p -> assertThat(p.file()).isEqualTo("x.yaml"));
    }

    @Property(tries = 300)
    void neverThrowsOnYamlLookingText(
            @ForAll @StringLength(max = 200) @Chars({'a', 'k', ':', ' ', '\n', '-', '[', ']', '{', '}', '&', '*',
                    '!', '"', '\'', '#', '|', '>', '\t', '1', '?', ',', '%', '@'}) String text) {
        String manifestish = "apiVersion: nvmesh.io/v1\nkind: Volume\n" + text;

        ValidationReport report = VALIDATOR.validateSources(
                List.of(new ManifestSource("x.yaml", manifestish.getBytes(StandardCharsets.UTF_8))));

        assertThat(report.valid()).isFalse();
    }
}
