package io.nvmesh.cli;

import io.nvmesh.cli.process.ChildProcesses;
import io.nvmesh.cli.process.ServiceJars;
import java.util.List;

/** Runs a service main class as a child sharing this terminal, and hands back its exit code. */
final class ServiceRun {

    private ServiceRun() {
    }

    static ServiceJars jars() {
        try {
            return ServiceJars.locate();
        } catch (IllegalStateException e) {
            throw CommandException.usage("%s", e.getMessage());
        }
    }

    static int inForeground(String mainClass, List<String> args) throws InterruptedException {
        ServiceJars jars = jars();
        try (ChildProcesses children = new ChildProcesses()) {
            Process p = children.start(new ProcessBuilder(jars.command(mainClass, args)).inheritIO());
            return p.waitFor();
        }
    }
}
