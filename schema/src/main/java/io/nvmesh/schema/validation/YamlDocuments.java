package io.nvmesh.schema.validation;

import io.nvmesh.schema.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Composes (never constructs) the YAML documents of one file, so no value is ever turned into an object by its tag.
 * Aliases and non-standard tags are refused as they are parsed: they have no use in a manifest and aliases are the
 * road to "billion laughs".
 */
final class YamlDocuments {

    /** The documents read, in order, and the problem that stopped reading, if any. */
    record Composed(List<Node> documents, Problem problem) {
    }

    private static final String CORE = "tag:yaml.org,2002:";
    private static final Set<String> ALLOWED_TAGS = Set.of("!", CORE + "str", CORE + "int", CORE + "float",
            CORE + "bool", CORE + "null", CORE + "seq", CORE + "map");

    private YamlDocuments() {
    }

    /** What a file holds, for messages ({@code manifests}, {@code manifest file}), and its size limit. */
    record Rules(String noun, String fileNoun, int maxBytes) {
        static final Rules MANIFESTS = new Rules("manifests", "manifest file", Limits.MAX_FILE_BYTES);
    }

    static Composed compose(String file, String text) {
        return compose(file, text, Rules.MANIFESTS);
    }

    /** Texts composed so far in this JVM: lets tests count compositions (locating problems must not multiply them). */
    static final java.util.concurrent.atomic.LongAdder COMPOSED = new java.util.concurrent.atomic.LongAdder();

    static Composed compose(String file, String text, Rules rules) {
        COMPOSED.increment();
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(0);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(Limits.MAX_NESTING);
        options.setCodePointLimit(rules.maxBytes() + 1);
        options.setProcessComments(false);
        GuardedParser parser = new GuardedParser(new ParserImpl(new StreamReader(text), options), rules.noun());
        Composer composer = new Composer(parser, new TypelessResolver(), options);
        List<Node> documents = new ArrayList<>();
        try {
            while (composer.checkNode()) {
                documents.add(composer.getNode());
            }
            return new Composed(documents, null);
        } catch (Refusal e) {
            return new Composed(documents, problem(file, e.mark, e.getMessage()));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            return new Composed(documents, problem(file, mark, syntax(e)));
        } catch (ReaderException e) {
            int[] lc = lineColumn(text, e.getPosition());
            return new Composed(documents, new Problem(file, lc[0], lc[1], "", "", String.format(Locale.ROOT,
                    "control character U+%04X is not allowed in YAML text", e.getCodePoint())));
        } catch (YAMLException e) {
            return new Composed(documents, problem(file, parser.lastMark, limit(e, rules)));
        } catch (StackOverflowError e) {
            return new Composed(documents, problem(file, parser.lastMark, "document is nested too deeply"));
        }
    }

    private static String syntax(MarkedYAMLException e) {
        String problem = e.getProblem() == null ? "" : e.getProblem();
        if (problem.contains("\\t") || problem.contains("TAB")) {
            return "tab character used for indentation; indent YAML with spaces";
        }
        if (problem.contains("found duplicate key")) {
            return problem;
        }
        String context = e.getContext() == null ? "" : e.getContext();
        return "YAML syntax error: " + (context.isEmpty() ? problem : problem + " (" + context + ")");
    }

    private static String limit(YAMLException e, Rules rules) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Nesting Depth")) {
            return "document is nested deeper than " + Limits.MAX_NESTING + " levels";
        }
        if (m.contains("aliases")) {
            return "aliases are not allowed in " + rules.noun() + "; write the value out";
        }
        if (m.contains("code points")) {
            return "file is over the limit of " + rules.maxBytes() / (1024 * 1024) + " MiB per " + rules.fileNoun();
        }
        return "cannot read YAML: " + m;
    }

    private static Problem problem(String file, Mark mark, String message) {
        return mark == null ? new Problem(file, 0, 0, "", "", message)
                : new Problem(file, mark.getLine() + 1, mark.getColumn() + 1, "", "", message);
    }

    private static int[] lineColumn(String text, int position) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < position && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new int[] {line, column};
    }

    static String shortTag(String tag) {
        return tag.startsWith(CORE) ? "!!" + tag.substring(CORE.length()) : tag;
    }

    /** Stops composition at the first alias or foreign tag, pointing at it. */
    private static final class GuardedParser implements Parser {
        private final Parser delegate;
        private final String noun;
        Mark lastMark;

        GuardedParser(Parser delegate, String noun) {
            this.delegate = delegate;
            this.noun = noun;
        }

        @Override
        public boolean checkEvent(Event.ID choice) {
            return delegate.checkEvent(choice);
        }

        @Override
        public Event peekEvent() {
            return delegate.peekEvent();
        }

        @Override
        public Event getEvent() {
            Event event = delegate.getEvent();
            lastMark = event.getStartMark();
            if (event instanceof AliasEvent alias) {
                throw new Refusal(event.getStartMark(),
                        "aliases (*" + alias.getAnchor() + ") are not allowed in " + noun + "; write the value out");
            }
            String tag = event instanceof ScalarEvent s ? s.getTag()
                    : event instanceof CollectionStartEvent c ? c.getTag() : null;
            if (tag != null && !ALLOWED_TAGS.contains(tag)) {
                throw new Refusal(event.getStartMark(),
                        "tag " + shortTag(tag) + " is not allowed; " + noun + " hold plain values only");
            }
            return event;
        }
    }

    /** Leaves every plain scalar a string; {@link TreeConverter} types them by YAML 1.2 core rules. */
    private static final class TypelessResolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
        }
    }

    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Mark mark;

        Refusal(Mark mark, String message) {
            super(message, null, false, false);
            this.mark = mark;
        }
    }
}
