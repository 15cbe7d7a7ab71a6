package io.nvmesh.cli.remote;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Locale;

/**
 * Text that came from a server, an agent or a manifest is printed with its control characters escaped (ESC as the
 * six characters backslash, {@code u001b}): a node id, a label or an event holding a terminal escape sequence could
 * otherwise recolour, move or rewrite what the reader sees, and a bidirectional override could make a line read other
 * than it is. That form keeps JSON output valid and equal in meaning.
 */
public final class ControlCharacters {

    private ControlCharacters() {
    }

    /** Whether the character is escaped: C0 except newline, DEL, C1, and the bidirectional controls. */
    static boolean escaped(char c) {
        return (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f)
                || c == '\u061c' || c == '\u200e' || c == '\u200f'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }

    /**
     * The text with every {@linkplain #escaped escaped} character as backslash, {@code u} and four hex digits; a
     * carriage return before a newline stays (a line separator). Null stays null.
     */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (escaped(c) && !(c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n')) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** A writer that escapes everything written through it (for output made only of what a server said). */
    public static PrintWriter escaping(PrintWriter out) {
        return new PrintWriter(new FilterWriter(out) {
            @Override
            public void write(int c) throws IOException {
                write(String.valueOf((char) c), 0, 1);
            }

            @Override
            public void write(char[] chars, int off, int len) throws IOException {
                write(new String(chars, off, len), 0, len);
            }

            @Override
            public void write(String s, int off, int len) throws IOException {
                String escaped = escape(s.substring(off, off + len));
                out.write(escaped, 0, escaped.length());
            }
        });
    }
}
