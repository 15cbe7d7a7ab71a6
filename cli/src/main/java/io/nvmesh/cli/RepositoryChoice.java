package io.nvmesh.cli;

import io.nvmesh.core.state.GitCheckout;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which desired repository a command works on, and why: {@code --repo}; else {@code NVMESH_REPO}; else, inside a Git
 * checkout, its {@code origin} URL, or the checkout's own repository when it has no origin; else the embedded
 * default, a bare repository at {@code ${NVMESH_HOME:-$HOME/.nvmesh}/desired.git} created on first use.
 *
 * @param location a URL or a local path
 * @param url whether {@code location} is a URL (opened through a local mirror) rather than a path
 * @param why how it was chosen, for headers and {@code --verbose}
 */
record RepositoryChoice(String location, boolean url, String why) {

    private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._-]+@[A-Za-z0-9._-]+:.*");

    RepositoryChoice {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(why, "why");
    }

    static RepositoryChoice choose(String option, Map<String, String> env, Path cwd) {
        if (option != null && !option.isBlank()) {
            return of(option, "--repo");
        }
        String fromEnv = env.get("NVMESH_REPO");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return of(fromEnv, "NVMESH_REPO");
        }
        Optional<GitCheckout> checkout = GitCheckout.find(cwd);
        if (checkout.isPresent()) {
            GitCheckout c = checkout.get();
            if (c.originUrl().isPresent()) {
                String origin = c.originUrl().get();
                // A relative origin (../desired.git) is relative to the checkout's repository, as Git reads it.
                return isUrl(origin) ? new RepositoryChoice(origin, true, "origin of the checkout at " + c.root())
                        : new RepositoryChoice(c.root().resolve(origin).normalize().toString(), false,
                                "origin of the checkout at " + c.root());
            }
            return new RepositoryChoice(c.gitDir().toString(), false, "the checkout at " + c.root()
                    + " (it has no origin)");
        }
        return new RepositoryChoice(home(env).resolve("desired.git").toString(), false, "embedded default");
    }

    static Path home(Map<String, String> env) {
        String h = env.get("NVMESH_HOME");
        if (h != null && !h.isBlank()) {
            return Path.of(h);
        }
        String user = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(user, ".nvmesh");
    }

    private static RepositoryChoice of(String location, String why) {
        return new RepositoryChoice(location, isUrl(location), why);
    }

    static boolean isUrl(String s) {
        return s.contains("://") || SCP_LIKE.matcher(s).matches();
    }

    String describe() {
        return location + " (" + why + ")";
    }

    /** Whether nobody named it: it was found from the current directory's Git checkout. */
    boolean fromCheckout() {
        return why.startsWith("origin of the checkout") || why.startsWith("the checkout at");
    }

    /** {@code /path (origin of the checkout at /src; --repo or NVMESH_REPO to choose another)}, for -v. */
    String explain() {
        return location + " (" + why + (why.equals("--repo") ? "" : "; --repo or NVMESH_REPO to choose another")
                + ")";
    }
}
