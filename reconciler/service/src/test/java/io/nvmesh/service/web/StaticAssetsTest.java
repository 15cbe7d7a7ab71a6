package io.nvmesh.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.record.VolumeStatus;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class StaticAssetsTest {

    private final StaticAssets assets = StaticAssets.load();

    private String text(String path) {
        return new String(assets.find(path).orElseThrow().bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void servesThePageItsFilesAndUplotFromItsWebJarAndNothingElse() {
        assertThat(assets.all().keySet()).containsExactly("/", "/ui/app.js", "/ui/app.css", "/ui/favicon.svg",
                "/ui/uplot.js", "/ui/uplot.css");
        assertThat(text("/")).contains("<script src=\"/ui/app.js\"");
        assertThat(text("/ui/uplot.js")).contains("uPlot");
        assertThat(assets.find("/ui/../app.js")).isEmpty();
        assertThat(assets.find("/io/nvmesh/web/app.js")).isEmpty();
        assertThat(assets.all().values()).allSatisfy(a -> assertThat(a.etag()).matches("\"[0-9a-f]{32}\""));
    }

    @Test
    void everyVolumeStatusHasAColourForItsChipAndItsCell() {
        String css = text("/ui/app.css");
        for (VolumeStatus s : VolumeStatus.values()) {
            assertThat(css).as("a .chip rule for %s", s.wireName())
                    .containsPattern("\\.chip\\." + s.wireName() + "\\b");
            assertThat(css).as("a .health rule for %s", s.wireName())
                    .containsPattern("\\.health\\." + s.wireName() + "\\b");
        }
        // Lost data is shown like a failed drive, not like a rebuild in progress.
        assertThat(css).containsPattern("\\.chip\\.blocked, \\.chip\\.failed[^{]*\\{[^}]*var\\(--bad-bg\\)");
    }

    @Test
    void thePageNamesNoOtherOriginAndChangesNothing() {
        for (String path : assets.all().keySet()) {
            if (path.equals("/ui/uplot.js") || path.equals("/ui/favicon.svg")) {
                continue; // the library and the icon's XML namespace are not requests
            }
            Matcher m = Pattern.compile("(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}").matcher(text(path));
            while (m.find()) {
                assertThat(m.group()).as(path + " names another origin").isEqualTo("http://www.w3.org");
            }
        }
        // Every request the script makes is a GET: it never sets a method, and has no form that posts.
        assertThat(text("/ui/app.js")).doesNotContain("method:", "method =", "'POST'", "'PUT'", "'DELETE'",
                "'PATCH'", "XMLHttpRequest", "innerHTML", "eval(");
        assertThat(text("/")).doesNotContain("method=\"post\"", "style=\"", "<script>");
    }
}
