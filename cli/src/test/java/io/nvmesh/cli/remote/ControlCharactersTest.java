package io.nvmesh.cli.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ControlCharactersTest {

    @Test
    void escapesTerminalSequencesC1DelAndBidirectionalOverrides() {
        assertThat(ControlCharacters.escape("\u001b[31mred\u001b[0m")).isEqualTo("\\u001b[31mred\\u001b[0m");
        assertThat(ControlCharacters.escape("a\u009b2Jb\u007fc\u0007")).isEqualTo("a\\u009b2Jb\\u007fc\\u0007");
        assertThat(ControlCharacters.escape("invoice\u202etxt.exe")).isEqualTo("invoice\\u202etxt.exe");
        assertThat(ControlCharacters.escape("tab\there\rover")).isEqualTo("tab\\u0009here\\u000dover");
    }

    @Test
    void leavesLinesAndOrdinaryTextAlone() {
        String text = "zone=eu-west-1a, Café 日本 ✓\nnext line\r\n";
        assertThat(ControlCharacters.escape(text)).isSameAs(text);
        assertThat(ControlCharacters.escape(null)).isNull();
    }

    @Test
    void noCharacterOfTheBasicPlaneSurvivesRawAndEscapingTwiceChangesNothing() {
        for (char c = 0; c < Character.MAX_VALUE; c++) {
            String once = ControlCharacters.escape("x" + c + "y");
            assertThat(once.chars().filter(ch -> ControlCharacters.escaped((char) ch))).isEmpty();
            assertThat(ControlCharacters.escape(once)).isEqualTo(once);
        }
    }

    @Test
    void theEscapingWriterEscapesWhateverIsWrittenThroughIt() {
        StringWriter sink = new StringWriter();
        PrintWriter out = ControlCharacters.escaping(new PrintWriter(sink));
        out.print('\u001b');
        out.println("[2J");
        out.printf("%s%n", "\u202e");
        out.flush();

        assertThat(sink.toString()).isEqualTo("\\u001b[2J" + System.lineSeparator() + "\\u202e"
                + System.lineSeparator());
    }
}
