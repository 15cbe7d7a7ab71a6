package io.nvmesh.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code nvmesh completion bash|zsh}: the shell completion script, generated from the command model itself (picocli's
 * {@link AutoComplete}), so that it names exactly the commands and options this version has. Names that depend on
 * the repository (policies, volumes) are completed by a few lines of shell appended to it, which read the manifests
 * under the current folder when Tab is pressed; no JVM starts for a completion.
 */
@Command(name = "completion",
        mixinStandardHelpOptions = true,
        description = {
            "Print the shell completion script for bash or zsh: commands, subcommands, options and their fixed "
                    + "values, and the names of policies and volumes found in the manifests under the current folder "
                    + "(for get capacity --policy, describe volume, watch volume/).",
            "bash: source it, or install it as /usr/share/bash-completion/completions/nvmesh (the Debian package "
                    + "does). zsh: source it from ~/.zshrc; it enables zsh's bash completion support."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  source <(nvmesh completion bash)          this shell",
            "  echo 'source <(nvmesh completion bash)' >> ~/.bashrc",
            "  echo 'source <(nvmesh completion zsh)' >> ~/.zshrc",
            "",
            "Exit codes: 0 printed, 2 usage error (a shell other than bash or zsh).%n"
        })
final class CompletionCommand implements Callable<Integer> {

    /** The shells the script is written for. */
    enum Shell { bash, zsh }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
    Shell shell;

    @Override
    public Integer call() {
        String script = AutoComplete.bash("nvmesh", spec.root().commandLine());
        var out = spec.commandLine().getOut();
        if (shell == Shell.zsh) {
            out.println("# nvmesh completion for zsh: picocli's bash script, run by zsh's bashcompinit (it enables "
                    + "it below).");
        }
        out.print(script);
        out.print(dynamicPart());
        out.flush();
        return ExitCode.OK.code();
    }

    private static String dynamicPart() {
        try (InputStream in = CompletionCommand.class.getResourceAsStream("completion-names.bash")) {
            if (in == null) {
                throw new IllegalStateException("completion-names.bash is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
