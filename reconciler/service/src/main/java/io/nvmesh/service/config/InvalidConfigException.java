package io.nvmesh.service.config;

import io.nvmesh.schema.Problem;

import java.util.List;
import java.util.stream.Collectors;

/** The configuration file could not be used; {@link #problems()} says every reason found, with file:line:column. */
public final class InvalidConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    InvalidConfigException(List<Problem> problems) {
        super(problems.stream().sorted(Problem.ORDER).map(Problem::render).collect(Collectors.joining("\n")));
        this.problems = problems.stream().sorted(Problem.ORDER).toList();
    }

    public List<Problem> problems() {
        return problems;
    }
}
