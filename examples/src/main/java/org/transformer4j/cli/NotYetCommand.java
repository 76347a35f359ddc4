package org.transformer4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Subcommands whose implementation has not landed yet: they say so and exit with status 2. */
abstract class NotYetCommand implements Callable<Integer> {
    private final String what;

    NotYetCommand(String what) {
        this.what = what;
    }

    @Override
    public Integer call() {
        System.err.println(what);
        return 2;
    }

    @Command(name = "conformance", description = "Compare every backend with the cpu reference (not available yet).")
    static final class Conformance extends NotYetCommand {
        Conformance() {
            super("conformance is not available yet from the command line; the kit runs in each backend's tests.");
        }
    }
}
