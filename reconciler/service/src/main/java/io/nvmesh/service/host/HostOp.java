package io.nvmesh.service.host;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One change to the host's data path: a configfs directory, attribute or link, a device symlink, or a command line.
 * Plans are lists of these, rendered for a dry run exactly as {@link HostExecutor} performs them. An op that removes
 * something is a {@link #teardown()}: agents issue those only for an order from the node's owner.
 */
sealed interface HostOp {

    /** What a shell user would type to do the same. */
    String render();

    /** Whether this op removes something that serves or holds data (a namespace, a device, a connection). */
    boolean teardown();

    /** {@code mkdir DIR} in configfs (the kernel makes its default attributes and groups). */
    record Mkdir(Path dir) implements HostOp {
        public Mkdir {
            Objects.requireNonNull(dir, "dir");
        }

        @Override
        public String render() {
            return "mkdir " + Shell.quote(dir.toString());
        }

        @Override
        public boolean teardown() {
            return false;
        }
    }

    /** {@code echo VALUE > FILE}: a configfs attribute; disabling a namespace is a teardown. */
    record Write(Path file, String value, boolean teardown) implements HostOp {
        public Write {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(value, "value");
        }

        Write(Path file, String value) {
            this(file, value, false);
        }

        @Override
        public String render() {
            return "echo " + Shell.quote(value) + " > " + Shell.quote(file.toString());
        }
    }

    /** {@code ln -s TARGET LINK}: a configfs link (a port's subsystem, an allowed host) or a device name. */
    record Link(Path link, Path target) implements HostOp {
        public Link {
            Objects.requireNonNull(link, "link");
            Objects.requireNonNull(target, "target");
        }

        @Override
        public String render() {
            return "ln -s " + Shell.quote(target.toString()) + " " + Shell.quote(link.toString());
        }

        @Override
        public boolean teardown() {
            return false;
        }
    }

    /** {@code rmdir DIR} or {@code rm LINK}: always a teardown. */
    record Remove(Path path, boolean directory) implements HostOp {
        public Remove {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String render() {
            return (directory ? "rmdir " : "rm ") + Shell.quote(path.toString());
        }

        @Override
        public boolean teardown() {
            return true;
        }
    }

    /** Waits (bounded) for udev to make a device's name after a connect; fails the plan if it does not appear. */
    record AwaitDevice(Path path) implements HostOp {
        public AwaitDevice {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String render() {
            return "udevadm settle && test -b " + Shell.quote(path.toString());
        }

        @Override
        public boolean teardown() {
            return false;
        }
    }

    /**
     * A command line ({@code dmsetup}, {@code nvme}, {@code mdadm}), with what it reads on standard input (a
     * multi-line device-mapper table), or empty.
     */
    record Run(List<String> argv, String stdin, boolean teardown) implements HostOp {
        public Run {
            argv = List.copyOf(argv);
            if (argv.isEmpty()) {
                throw new IllegalArgumentException("a command needs a program");
            }
            stdin = stdin == null ? "" : stdin;
        }

        static Run of(boolean teardown, String... argv) {
            return new Run(List.of(argv), "", teardown);
        }

        @Override
        public String render() {
            String line = argv.stream().map(Shell::quote).collect(Collectors.joining(" "));
            return stdin.isEmpty() ? line : line + " <<'EOF'\n" + stdin + (stdin.endsWith("\n") ? "" : "\n") + "EOF";
        }
    }

    /** Quoting for rendered commands: only what a shell would misread is quoted. */
    final class Shell {
        private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,+@%-]+");

        private Shell() {
        }

        static String quote(String s) {
            return PLAIN.matcher(s).matches() ? s : "'" + s.replace("'", "'\\''") + "'";
        }
    }
}
