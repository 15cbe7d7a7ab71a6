package io.nvmesh.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.AlphaChars;
import org.junit.jupiter.api.Test;

class SizeProperties {

    @Property
    void exactFormParsesBackToTheSameBytes(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long bytes) {
        Size size = Size.ofBytes(bytes);

        assertThat(Size.parse(size.exact())).isEqualTo(size);
    }

    @Property
    void iecAndSiUnitsScaleTheNumber(@ForAll @LongRange(min = 0, max = 1_000_000) long n) {
        assertThat(Size.parse(n + "GiB").bytes()).isEqualTo(n * Size.GiB);
        assertThat(Size.parse(n + "GB").bytes()).isEqualTo(n * 1_000_000_000L);
        assertThat(Size.parse(n + " MiB").bytes()).isEqualTo(n * Size.MiB);
    }

    @Property
    void unknownUnitsAreRefusedWithAnExample(@ForAll @AlphaChars @StringLength(min = 1, max = 4) String unit) {
        String text = "2" + unit;
        try {
            Size.parse(text);
        } catch (IllegalArgumentException e) {
            assertThat(e).hasMessage("\"" + text + "\" is not a size (use e.g. 500GiB, 2TB)");
        }
    }

    @Test
    void fractionsMustComeToWholeBytes() {
        assertThat(Size.parse("1.5TiB").bytes()).isEqualTo(3 * Size.TiB / 2);
        assertThatThrownBy(() -> Size.parse("0.1B")).hasMessageContaining("whole number of bytes");
    }
}
