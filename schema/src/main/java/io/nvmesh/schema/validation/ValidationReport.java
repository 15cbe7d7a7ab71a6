package io.nvmesh.schema.validation;

import io.nvmesh.schema.Problem;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The outcome of validating a set of files: the manifests that could be read, every problem (sorted by
 * {@link Problem#ORDER}), and the files that were read, in the order they were read.
 */
public record ValidationReport(List<LoadedManifest> manifests, List<Problem> problems, List<String> files) {

    public ValidationReport {
        manifests = List.copyOf(manifests);
        problems = problems.stream().sorted(Problem.ORDER).toList();
        files = List.copyOf(files);
    }

    /** True when there is no problem at all. */
    public boolean valid() {
        return problems.isEmpty();
    }

    public int manifestCount() {
        return manifests.size();
    }

    public int fileCount() {
        return files.size();
    }

    /** The files with at least one problem, sorted. */
    public SortedSet<String> filesWithProblems() {
        TreeSet<String> files = new TreeSet<>();
        problems.forEach(p -> files.add(p.file()));
        return Collections.unmodifiableSortedSet(files);
    }

    /** The problems of one file, in order. */
    public List<Problem> problemsIn(String file) {
        return problems.stream().filter(p -> p.file().equals(file)).toList();
    }
}
