package io.nvmesh.core.state;

/** A writer name unique enough to seed jitter when the caller gives none: host and process id. */
final class DefaultWriter {

    private DefaultWriter() {
    }

    static String id() {
        return host() + "-" + ProcessHandle.current().pid();
    }

    static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
