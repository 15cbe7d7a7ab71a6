package io.nvmesh.cli;

import io.nvmesh.cli.remote.ControlCharacters;
import io.nvmesh.cli.remote.ServerException;
import io.nvmesh.core.reconcile.GitOpsRefusal;
import io.nvmesh.core.state.StateStoreException;
import io.nvmesh.schema.InvalidManifestException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The one place where a failure becomes a message and an exit code: {@code error: <one line>} on standard error,
 * the stack trace only with {@code --stacktrace}.
 *
 * <table>
 *   <caption>exit codes</caption>
 *   <tr><td>2</td><td>usage: picocli parameter errors, a path that does not exist, {@link CommandException#usage},
 *       a request the server answered 400 (what the user typed, such as a watch topic, is malformed)</td></tr>
 *   <tr><td>1</td><td>user input: {@link InvalidManifestException}, unreadable files, {@link CommandException#problems};
 *       a refusal of the GitOps loop ({@link GitOpsRefusal}: invalid, stale, moved, protected) and a repository
 *       that cannot be read or written ({@link StateStoreException}); a server that cannot be reached or refuses the
 *       token ({@link ServerException})</td></tr>
 *   <tr><td>3</td><td>anything else: a bug in nvmesh</td></tr>
 * </table>
 */
final class Failures implements IExecutionExceptionHandler, IExitCodeExceptionMapper, IParameterExceptionHandler {

    @Override
    public int getExitCode(Throwable failure) {
        return exitCode(failure).code();
    }

    static ExitCode exitCode(Throwable failure) {
        if (failure instanceof CommandException e) {
            return e.exitCode();
        }
        if (failure instanceof ParameterException || failure instanceof NoSuchFileException) {
            return ExitCode.USAGE;
        }
        if (failure instanceof ServerException e) {
            return e.status() == 400 ? ExitCode.USAGE : ExitCode.PROBLEMS;
        }
        if (failure instanceof GitOpsRefusal || failure instanceof StateStoreException) {
            return ExitCode.PROBLEMS;
        }
        if (failure instanceof InvalidManifestException || failure instanceof IOException
                || failure instanceof UncheckedIOException) {
            return ExitCode.PROBLEMS;
        }
        return ExitCode.INTERNAL;
    }

    @Override
    public int handleExecutionException(Exception failure, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        ExitCode code = exitCode(failure);
        // Messages quote servers and manifests (a problem's detail, a value refused).
        err.println(ControlCharacters.escape(message(failure, code)));
        if (stacktraceWanted(parseResult)) {
            failure.printStackTrace(err);
        } else if (code == ExitCode.INTERNAL) {
            err.println("Run again with --stacktrace for details, and please report this as a bug.");
        }
        err.flush();
        return code.code();
    }

    @Override
    public int handleParseException(ParameterException failure, String[] args) {
        CommandLine command = failure.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("error: " + failure.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(failure, err);
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCode.USAGE.code();
    }

    private static String message(Exception failure, ExitCode code) {
        if (failure instanceof NoSuchFileException e) {
            return "error: no such file or directory: " + e.getFile();
        }
        if (failure instanceof CommandException || failure instanceof InvalidManifestException
                || failure instanceof ServerException) {
            return "error: " + failure.getMessage();
        }
        if (code == ExitCode.PROBLEMS) {
            return "error: " + failure.getMessage();
        }
        return "internal error: " + failure;
    }

    private static boolean stacktraceWanted(ParseResult result) {
        for (ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--stacktrace")) {
                return true;
            }
        }
        return false;
    }
}
