package io.nvmesh.service.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The hand-written topic syntax accepts exactly what the documented regular expressions accept. */
class TopicsProperties {

    private static final Pattern TOPIC =
            Pattern.compile("(volume|target|client|drive)/[A-Za-z0-9._:@-]{1,253}|capacity|cluster");
    private static final Pattern PREFIX = Pattern.compile("(volume|target|client|drive)/\\*");

    @Property(tries = 3000)
    void topicsAndFiltersAreCheckedAsTheRegularExpressionsSay(@ForAll("candidates") String s) {
        assertThat(Topics.isTopic(s)).as(s).isEqualTo(TOPIC.matcher(s).matches());
        boolean filter = TOPIC.matcher(s).matches() || PREFIX.matcher(s).matches();
        if (filter) {
            assertThat(Topics.checkFilter(s)).isEqualTo(s);
        } else {
            assertThatThrownBy(() -> Topics.checkFilter(s)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("not a topic filter: ");
        }
    }

    @Example
    void edgesOfTheSyntax() {
        assertThat(Topics.isTopic("volume/" + "a".repeat(253))).isTrue();
        assertThat(Topics.isTopic("volume/" + "a".repeat(254))).isFalse();
        assertThat(Topics.isTopic("volume/")).isFalse();
        assertThat(Topics.isTopic("volume/*")).isFalse();
        assertThat(Topics.isTopic(null)).isFalse();
        assertThat(Topics.checkFilter("drive/*")).isEqualTo("drive/*");
        assertThatThrownBy(() -> Topics.checkTopic("pool/x")).hasMessageContaining("not a topic: pool/x");
    }

    @Provide
    Arbitrary<String> candidates() {
        Arbitrary<String> head = Arbitraries.of("volume/", "target/", "client/", "drive/", "pool/", "volume", "",
                "capacity", "cluster", "Volume/", "drive//");
        Arbitrary<String> tail = Arbitraries.strings().withChars("aZ09._:@-*/ é\t").ofMinLength(0).ofMaxLength(6)
                .injectDuplicates(0.1);
        Arbitrary<String> longName = Arbitraries.integers().between(250, 256).map("x"::repeat);
        return Arbitraries.oneOf(Combinators.combine(head, tail).as(String::concat),
                Combinators.combine(head, longName).as(String::concat), Arbitraries.strings().ofMaxLength(12));
    }
}
