package io.nvmesh.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Durations as options take them: {@code 500ms}, {@code 10s}, {@code 3m}, a plain number of seconds, or ISO-8601. */
final class DurationOption {

    private DurationOption() {
    }

    /** @throws CommandException a usage error naming {@code option} */
    static Duration parse(String option, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.startsWith("p")) {
                return Duration.parse(text.trim());
            }
            return Duration.ofSeconds(Long.parseLong(t));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw CommandException.usage("%s: \"%s\" is not a duration (e.g. 500ms, 10s, 1m)", option, text);
        }
    }
}
