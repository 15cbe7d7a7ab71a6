package io.nvmesh.service.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.record.StateFiles;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The one-pass decoding of messages that start with their type must mean exactly what the tree decoding means: the
 * same message, or the same refusal, for valid and invalid texts alike; and the serial check without the regex must
 * accept exactly what {@link StateFiles#ID} accepts.
 */
class AgentCodecFastPathProperties {

    private static final List<String> VALID = List.of(
            AgentCodec.encode(new AgentMessage.Report(7, TargetHealth.HEALTHY, List.of(
                    new Drive("S6EUNS0W123456", 3_840_755_982_336L, DriveHealth.OK, Map.of("model", "PM9A3")),
                    new Drive("S6EUNS0W123457", 3_840_755_982_336L, DriveHealth.FAILED, Map.of())),
                    new Performance(180_000, 60_000, 2_949_120_000L, 1_966_080_000L, 95, 610))),
            AgentCodec.encode(new AgentMessage.Report(1, TargetHealth.UNHEALTHY, List.of(), Performance.IDLE)),
            AgentCodec.encode(new AgentMessage.Hello(List.of(1, 2), "c-001", NodeKind.CLIENT, Map.of("zone", "z-b"),
                    List.of())),
            AgentCodec.encode(new AgentMessage.Ack(3, false, "drive S6 is failed")),
            AgentCodec.encode(new AgentMessage.Welcome(1, "t-001", "r2", 1000)),
            "{\"type\":\"ack\",\"seq\":1,\"ok\":true}",
            "{\"type\":\"report\",\"seq\":1,\"health\":\"healthy\"}");

    /** What a sender would get for the text: the message, or the refusal's words. */
    private static Object outcome(java.util.function.Function<String, AgentMessage> decoder, String text) {
        try {
            return decoder.apply(text);
        } catch (ProtocolException e) {
            return "refused: " + e.getMessage();
        }
    }

    @Property(tries = 2_000)
    void typeFirstDecodingMeansWhatTheTreeMeans(@ForAll("texts") String text) {
        assertThat(outcome(AgentCodec::decode, text)).isEqualTo(outcome(AgentCodec::decodeTree, text));
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> valid = Arbitraries.of(VALID);
        // Edits that keep or break the JSON, the type, the fields' values and what follows the object.
        Arbitrary<String> edits = Arbitraries.of(
                "", " ", "}", "{", "x", "\"", ",", ":", "null", "-1", "1.5", "99999999999999999999", "\"sick\"",
                "[]", "{}", ",\"type\":\"hello\"", "\"S 1\"", "\"\\u001b\"", "true", "\"type\"");
        Arbitrary<String> edited = valid.flatMap(v -> Arbitraries.integers().between(0, v.length())
                .flatMap(at -> Arbitraries.integers().between(0, Math.min(12, v.length() - at))
                        .flatMap(cut -> edits.map(e -> v.substring(0, at) + e + v.substring(at + cut)))));
        return Arbitraries.oneOf(valid, edited, edited);
    }

    /**
     * The one difference, and why it is harmless: a number where text belongs (a label value) becomes text as
     * written; the tree rounded it through a double first. Either passes the label rules or not as text.
     */
    @net.jqwik.api.Example
    void aNumberWhereTextBelongsIsTakenAsWritten() {
        String text = "{\"type\":\"hello\",\"protocols\":[1],\"nodeId\":\"c-1\",\"kind\":\"client\","
                + "\"labels\":{\"zone\":1e400}}";
        assertThat(((AgentMessage.Hello) AgentCodec.decode(text)).labels()).containsEntry("zone", "1e400");
        assertThat(((AgentMessage.Hello) AgentCodec.decodeTree(text)).labels()).containsEntry("zone", "Infinity");
    }

    @Property(tries = 2_000)
    void theSerialCheckAcceptsWhatThePatternAccepts(@ForAll("serials") String serial) {
        assertThat(MessageRules.isSerial(serial)).isEqualTo(StateFiles.ID.matcher(serial).matches());
    }

    @Provide
    Arbitrary<String> serials() {
        Arbitrary<Character> chars = Arbitraries.oneOf(Arbitraries.chars().alpha(), Arbitraries.chars().numeric(),
                Arbitraries.of('.', '_', '-', ' ', '/', '\u00e9', '\u0660', '\n'));
        return chars.list().ofMinSize(0).ofMaxSize(140).map(l -> {
            StringBuilder sb = new StringBuilder();
            l.forEach(sb::append);
            return sb.toString();
        });
    }

    @Property(tries = 50)
    void aLabelThatPassedOncePassesAgainAndABadOneNeverDoes(@ForAll @IntRange(min = 1, max = 3) int repeats) {
        for (int i = 0; i < repeats; i++) {
            MessageRules.checkLabels("labels", Map.of("model", "PM9A3", "nvmesh.io/media", "tlc"));
            List<String> refused = new ArrayList<>();
            for (Map<String, String> bad : List.of(Map.of("model", "PM9A3 "), Map.of("<b>", "x"))) {
                try {
                    MessageRules.checkLabels("labels", bad);
                } catch (IllegalArgumentException e) {
                    refused.add(e.getMessage());
                }
            }
            assertThat(refused).hasSize(2);
        }
    }
}
