package io.nvmesh.schema.validation;

import io.nvmesh.schema.Problem;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Turns a file's bytes into text, refusing oversized, binary and non-UTF-8 content with one clear problem. */
final class SourceText {

    /** Either {@code text} or {@code problem} is set. */
    record Decoded(String text, Problem problem) {
    }

    private SourceText() {
    }

    static Decoded decode(String file, byte[] bytes) {
        return decode(file, bytes, YamlDocuments.Rules.MANIFESTS);
    }

    static Decoded decode(String file, byte[] bytes, YamlDocuments.Rules rules) {
        if (bytes.length > rules.maxBytes()) {
            return failed(file, 0, 0, tooLarge(bytes.length, rules));
        }
        boolean ascii = true;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return failed(file, lineOf(bytes, i), 0,
                        String.format(Locale.ROOT, "binary content (NUL byte at offset %d); %s are UTF-8 text", i,
                                rules.noun()));
            }
            ascii &= bytes[i] > 0;
        }
        if (ascii) {
            // Plain ASCII (almost every manifest) is valid UTF-8 as it is, without a byte-order mark: no decoder.
            return new Decoded(new String(bytes, StandardCharsets.US_ASCII), null);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int offset = in.position();
            return failed(file, lineOf(bytes, offset), 0, String.format(Locale.ROOT,
                    "not UTF-8 text: invalid byte 0x%02X at offset %d; save the file as UTF-8", bytes[offset] & 0xFF,
                    offset));
        }
        result = decoder.flush(out);
        if (result.isError()) {
            return failed(file, lineOf(bytes, bytes.length), 0, "not UTF-8 text: truncated character at end of file");
        }
        out.flip();
        String text = out.toString();
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        return new Decoded(text, null);
    }

    static String tooLarge(long size) {
        return tooLarge(size, YamlDocuments.Rules.MANIFESTS);
    }

    static String tooLarge(long size, YamlDocuments.Rules rules) {
        return String.format(Locale.ROOT, "file is %,d bytes, over the limit of %d MiB per %s", size,
                rules.maxBytes() / (1024 * 1024), rules.fileNoun());
    }

    private static int lineOf(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    private static Decoded failed(String file, int line, int column, String message) {
        return new Decoded(null, new Problem(file, line, column, "", "", message));
    }
}
