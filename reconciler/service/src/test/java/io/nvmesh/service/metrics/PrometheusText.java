package io.nvmesh.service.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: every line must be a HELP, a TYPE or a
 * sample; every sample must belong to the family declared last, with a name that type allows; label values must be
 * well quoted; no series twice. Anything else throws, naming the line.
 */
final class PrometheusText {

    record Sample(String name, Map<String, String> labels, double value) {
    }

    record Family(String name, String type, String help, List<Sample> samples) {
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private PrometheusText() {
    }

    static Map<String, Family> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a line feed");
        }
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> help = new LinkedHashMap<>();
        Family current = null;
        Set<String> series = new java.util.HashSet<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + ": " + line;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String[] p = line.substring(7).split(" ", 2);
                require(NAME.matcher(p[0]).matches() && p.length == 2, where);
                require(help.put(p[0], p[1]) == null, where + " (second HELP)");
            } else if (line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ");
                require(p.length == 2 && NAME.matcher(p[0]).matches() && TYPES.contains(p[1]), where);
                require(!families.containsKey(p[0]), where + " (second TYPE)");
                current = new Family(p[0], p[1], help.getOrDefault(p[0], ""), new ArrayList<>());
                families.put(p[0], current);
            } else if (line.startsWith("#")) {
                continue; // a comment
            } else {
                Sample s = sample(line, where);
                require(current != null && belongs(s.name(), current), where + " (not of the family declared last)");
                require(series.add(s.name() + s.labels()), where + " (series twice)");
                current.samples().add(s);
            }
        }
        return families;
    }

    private static boolean belongs(String sample, Family f) {
        return switch (f.type()) {
            case "histogram" -> sample.equals(f.name() + "_bucket") || sample.equals(f.name() + "_sum")
                    || sample.equals(f.name() + "_count") || sample.equals(f.name() + "_created");
            case "summary" -> sample.equals(f.name()) || sample.equals(f.name() + "_sum")
                    || sample.equals(f.name() + "_count") || sample.equals(f.name() + "_created");
            case "counter" -> sample.equals(f.name()) || sample.equals(f.name() + "_created");
            default -> sample.equals(f.name());
        };
    }

    private static Sample sample(String line, String where) {
        Matcher m = NAME.matcher(line);
        require(m.lookingAt(), where);
        String name = m.group();
        int at = m.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (at < line.length() && line.charAt(at) == '{') {
            at++;
            while (line.charAt(at) != '}') {
                Matcher l = LABEL.matcher(line).region(at, line.length());
                require(l.lookingAt(), where + " (label name)");
                String label = l.group();
                at = l.end();
                require(line.startsWith("=\"", at), where + " (=\" after " + label + ")");
                at += 2;
                StringBuilder value = new StringBuilder();
                while (line.charAt(at) != '"') {
                    char c = line.charAt(at++);
                    if (c == '\\') {
                        char e = line.charAt(at++);
                        require(e == '\\' || e == '"' || e == 'n', where + " (escape \\" + e + ")");
                        value.append(e == 'n' ? '\n' : e);
                    } else {
                        value.append(c);
                    }
                }
                at++;
                require(labels.put(label, value.toString()) == null, where + " (label " + label + " twice)");
                if (line.charAt(at) == ',') {
                    at++;
                }
            }
            at++;
        }
        require(at < line.length() && line.charAt(at) == ' ', where + " (no space before the value)");
        String[] rest = line.substring(at + 1).split(" ");
        require(rest.length == 1 || rest.length == 2 && rest[1].matches("-?[0-9]+"), where + " (value [timestamp])");
        return new Sample(name, labels, value(rest[0], where));
    }

    private static double value(String s, String where) {
        switch (s) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                require(s.matches("[-+]?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?"), where + " (value " + s + ")");
                return Double.parseDouble(s);
        }
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("not Prometheus text: " + what);
        }
    }
}
