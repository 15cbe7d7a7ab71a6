package io.nvmesh.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * A commit built without a working tree holds exactly what applying its changes to the old files gives, including
 * a file replacing a directory and the other way round. Checked against a map model on a real repository.
 */
class TreeEditProperties {

    private static final List<String> BASE_PATHS = List.of("a", "b", "d/x", "d/y", "d/e/z", "f/g");
    private static final List<String> ANY_PATH = List.of("a", "b", "d", "d/x", "d/y", "d/e", "d/e/z", "f", "f/g",
            "h/i");
    private static final AtomicInteger REFS = new AtomicInteger();

    private static Path dir;
    private static StateStore store;

    @BeforeContainer
    static void open() throws IOException {
        dir = Files.createTempDirectory("nvmesh-tree-props-");
        store = StateStore.openOrCreate(dir.resolve("state.git"), StoreOptions.forWriter("props"));
    }

    @AfterContainer
    static void close() throws IOException {
        store.close();
        try (var walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** One edit of a Changes value: put, delete, or delete a directory. */
    record Op(int kind, String path, String content) {
    }

    @Property(tries = 60)
    void theCommittedTreeIsTheOldTreeWithTheChangesApplied(@ForAll("baseFiles") Map<String, String> base,
            @ForAll("ops") List<Op> ops) {
        String ref = "refs/nvmesh/prop-" + REFS.incrementAndGet();
        Author who = new Author("p", "p@test");
        Changes.Builder seed = Changes.builder();
        base.forEach(seed::put);
        String baseId = base.isEmpty() ? ""
                : ((CommitResult.Committed) store.commit(ref, "", seed.build(), "base", who)).commitId();

        Changes.Builder b = Changes.builder();
        for (Op op : ops) {
            switch (op.kind()) {
                case 0 -> b.put(op.path(), op.content());
                case 1 -> b.delete(op.path());
                default -> b.deleteTree(op.path());
            }
        }
        Map<String, String> puts = lastPuts(ops);
        if (conflicting(puts)) {
            assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class);
            return;
        }
        Changes changes = b.build();

        CommitResult r = store.commit(ref, baseId, changes, "change", who);

        assertThat(r).isInstanceOf(CommitResult.Committed.class);
        Map<String, String> actual = store.read(ref).files().entrySet().stream().collect(Collectors.toMap(
                Map.Entry::getKey, e -> new String(e.getValue(), StandardCharsets.UTF_8), (x, y) -> x, TreeMap::new));
        assertThat(actual).isEqualTo(model(base, ops));
    }

    /** What the builder keeps as puts: for each path, its last op if that op was a put. */
    private static Map<String, String> lastPuts(List<Op> ops) {
        Map<String, Op> last = new TreeMap<>();
        for (Op op : ops) {
            if (op.kind() != 2) {
                last.put(op.path(), op);
            }
        }
        Map<String, String> puts = new TreeMap<>();
        last.forEach((p, op) -> {
            if (op.kind() == 0) {
                puts.put(p, op.content());
            }
        });
        return puts;
    }

    private static boolean conflicting(Map<String, String> puts) {
        return puts.keySet().stream().anyMatch(p -> puts.keySet().stream().anyMatch(q -> q.startsWith(p + "/")));
    }

    private static Map<String, String> model(Map<String, String> base, List<Op> ops) {
        Map<String, String> puts = lastPuts(ops);
        TreeMap<String, String> files = new TreeMap<>(base);
        for (Op op : ops) {
            if (op.kind() == 2) {
                files.keySet().removeIf(k -> k.startsWith(op.path() + "/") && !puts.containsKey(k));
            }
        }
        Map<String, Op> last = new TreeMap<>();
        ops.stream().filter(op -> op.kind() != 2).forEach(op -> last.put(op.path(), op));
        last.forEach((p, op) -> {
            if (op.kind() == 1) {
                files.remove(p);
            }
        });
        puts.forEach((p, content) -> {
            // a file replaces a directory of the same name, and a directory replaces a file on its way
            files.keySet().removeIf(k -> k.startsWith(p + "/") || p.startsWith(k + "/"));
            files.put(p, content);
        });
        return files;
    }

    @Provide
    Arbitrary<Map<String, String>> baseFiles() {
        return Arbitraries.subsetOf(BASE_PATHS).map(paths -> paths.stream()
                .collect(Collectors.toMap(p -> p, p -> "base " + p, (x, y) -> x, TreeMap::new)));
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.of(ANY_PATH),
                Arbitraries.strings().alpha().ofMaxLength(3)).as(Op::new);
        return op.list().ofMaxSize(6);
    }
}
