package io.nvmesh.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The AsciiDoc of picocli's man page generator, as troff. */
class ManPageTest {

    private static final String ADOC = """
            // tag::picocli-generated-full-manpage[]
            :doctype: manpage
            :manmanual: Nvmesh Manual
            :mansource: nvmesh 1.0
            = nvmesh-watch(1)

            == Name

            nvmesh-watch - Print events of TOPIC.

            == Synopsis

            *nvmesh watch* [*-h*] [*-o*=_FORMAT_]
                         _TOPIC_...

            == Description

            Print events. Topics or <kind>/* filters; nodes: ["*"] and \\ stay as they are.
            .dots at the start are not requests

            == Options

            *-o*, *--output*=_FORMAT_::
              text or json.
              Second line.

            == Commands

            xref:nvmesh-token-create.adoc[*create*]::
              Add a credential.

            ==  Examples:

            [%hardbreaks]
              nvmesh watch 'volume/*'      all volumes
              nvmesh watch -o json x

            [%hardbreaks]
            Exit codes: 0 ok, 2 usage error.
            """;

    @Test
    void writesTheTitleNameAndSections() {
        String troff = ManPage.toTroff(ADOC);
        assertThat(troff).startsWith(".TH \"NVMESH\\-WATCH\" 1 \"\" \"nvmesh 1.0\" \"Nvmesh Manual\"\n");
        assertThat(troff).contains(".SH \"NAME\"\nnvmesh\\-watch \\- Print events of TOPIC.\n");
        assertThat(troff).contains(".SH \"EXAMPLES\"\n");
        assertThat(troff).doesNotContain("//").doesNotContain("[%hardbreaks]").doesNotContain("::");
    }

    @Test
    void setsFontsOnlyInTheSynopsisAndListTerms() {
        String troff = ManPage.toTroff(ADOC);
        assertThat(troff).contains(".PP\n\\fBnvmesh watch\\fR [\\fB\\-h\\fR] [\\fB\\-o\\fR=\\fIFORMAT\\fR] "
                + "\\fITOPIC\\fR...\n");
        assertThat(troff).contains(".TP\n\\fB\\-o\\fR, \\fB\\-\\-output\\fR=\\fIFORMAT\\fR\ntext or json.\n.br\n"
                + "Second line.\n");
        assertThat(troff).contains(".TP\n\\fBcreate\\fR\nAdd a credential.\n");
        // A description is the command's own text: its stars and backslashes are not markup.
        assertThat(troff).contains("Topics or <kind>/* filters; nodes: [\"*\"] and \\e stay as they are.");
        assertThat(troff).contains("\\&.dots at the start");
    }

    @Test
    void keepsExamplesLineForLine() {
        String troff = ManPage.toTroff(ADOC);
        assertThat(troff).contains(".nf\n  nvmesh watch 'volume/*'      all volumes\n  nvmesh watch \\-o json x\n.fi\n");
        assertThat(ManPage.plain(troff)).contains("  nvmesh watch -o json x", "Exit codes: 0 ok, 2 usage error.");
    }
}
