package io.nvmesh.packaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the AsciiDoc man page picocli's {@code ManPageGenerator} writes into troff ({@code man(7)} macros). Only what
 * that generator emits is understood: attributes, the {@code = name(1)} title, {@code ==} sections, paragraphs,
 * definition lists ({@code term::} and indented description lines), {@code [%hardbreaks]} blocks (examples, exit
 * codes: kept line for line) and, in the synopsis and list terms only, {@code *bold*}, {@code _italic_} and
 * {@code xref:page.adoc[*name*]}. Descriptions are the commands' own text and are never read as markup (they hold
 * {@code volume/*} and {@code nodes: ["*"]}).
 */
final class ManPage {

    private static final Pattern TITLE = Pattern.compile("= (\\S+)\\((\\d)\\)");
    private static final Pattern ATTRIBUTE = Pattern.compile(":([a-z-]+):\\s*(.*)");
    private static final Pattern XREF = Pattern.compile("xref:[^\\[]+\\[([^\\]]*)]");
    private static final Pattern BOLD = Pattern.compile("\\*([^*\\s](?:[^*]*[^*\\s])?)\\*");
    private static final Pattern ITALIC = Pattern.compile("(?<![\\w])_([^_\\s](?:[^_]*[^_\\s])?)_(?![\\w])");

    private ManPage() {
    }

    static String toTroff(String adoc) {
        List<String> lines = adoc.lines().filter(l -> !l.startsWith("//")).toList();
        StringBuilder out = new StringBuilder();
        String source = "";
        String manual = "";
        String section = "";
        boolean hardbreaks = false;
        boolean inBlock = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher attribute = ATTRIBUTE.matcher(line);
            Matcher title = TITLE.matcher(line);
            if (line.isBlank()) {
                if (inBlock) {
                    out.append(".fi\n");
                    inBlock = false;
                }
                hardbreaks = false;
            } else if (section.isEmpty() && attribute.matches()) {
                if (attribute.group(1).equals("mansource")) {
                    source = attribute.group(2).strip();
                } else if (attribute.group(1).equals("manmanual")) {
                    manual = attribute.group(2).strip();
                }
            } else if (title.matches()) {
                out.append(".TH ").append(quoted(title.group(1).toUpperCase(Locale.ROOT))).append(' ')
                        .append(title.group(2)).append(" \"\" ").append(quoted(source)).append(' ')
                        .append(quoted(manual)).append('\n');
                section = "title";
            } else if (line.startsWith("== ") || line.startsWith("==  ")) {
                section = line.substring(2).strip().replaceFirst(":$", "");
                out.append(".SH ").append(quoted(section.toUpperCase(Locale.ROOT))).append('\n');
            } else if (line.equals("[%hardbreaks]")) {
                hardbreaks = true;
            } else if (hardbreaks) {
                if (!inBlock) {
                    out.append(".PP\n.nf\n");
                    inBlock = true;
                }
                out.append(text(line)).append('\n');
            } else if (line.endsWith("::")) {
                out.append(".TP\n").append(markup(line.substring(0, line.length() - 2))).append('\n');
                // The description: the indented lines that follow, each a line of its own.
                boolean first = true;
                while (i + 1 < lines.size() && lines.get(i + 1).startsWith(" ") && !lines.get(i + 1).isBlank()) {
                    if (!first) {
                        out.append(".br\n");
                    }
                    out.append(text(lines.get(++i).strip())).append('\n');
                    first = false;
                }
            } else if (section.equalsIgnoreCase("name")) {
                int dash = line.indexOf(" - ");
                out.append(dash < 0 ? text(line) : text(line.substring(0, dash)) + " \\- "
                        + text(line.substring(dash + 3))).append('\n');
            } else if (section.equalsIgnoreCase("synopsis")) {
                // One synopsis, wrapped by picocli: let troff fill it.
                StringBuilder synopsis = new StringBuilder(line.strip());
                while (i + 1 < lines.size() && !lines.get(i + 1).isBlank()) {
                    synopsis.append(' ').append(lines.get(++i).strip());
                }
                out.append(".PP\n").append(markup(synopsis.toString())).append('\n');
            } else {
                out.append(".PP\n").append(text(line)).append('\n');
            }
        }
        if (inBlock) {
            out.append(".fi\n");
        }
        return out.toString();
    }

    /** The text as troff, with the generator's markup turned into fonts. */
    static String markup(String line) {
        String s = XREF.matcher(line.strip()).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
        s = text(s);
        s = BOLD.matcher(s).replaceAll(m -> Matcher.quoteReplacement("\\fB" + m.group(1) + "\\fR"));
        return ITALIC.matcher(s).replaceAll(m -> Matcher.quoteReplacement("\\fI" + m.group(1) + "\\fR"));
    }

    /** Literal text as troff: backslashes and minus signs escaped, a leading control character neutralised. */
    static String text(String line) {
        String s = line.replace("\\", "\\e").replace("-", "\\-");
        if (s.startsWith(".") || s.startsWith("'")) {
            s = "\\&" + s;
        }
        return s;
    }

    private static String quoted(String s) {
        return "\"" + text(s).replace("\"", "\\(dq") + "\"";
    }

    /** Lines of troff back to the text a reader sees, for checks: escapes and font changes removed. */
    static List<String> plain(String troff) {
        List<String> out = new ArrayList<>();
        for (String line : troff.lines().toList()) {
            if (line.startsWith(".")) {
                continue;
            }
            out.add(line.replace("\\fB", "").replace("\\fI", "").replace("\\fR", "").replace("\\-", "-")
                    .replace("\\&", "").replace("\\e", "\\"));
        }
        return out;
    }
}
